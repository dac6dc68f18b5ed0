# Sourced by the launcher (and by SoakIT for its child JVM, so that both run alike): chooses the
# native allocator through LD_PRELOAD / MALLOC_CONF before the JVM starts.
# METRIC4J_ALLOCATOR=auto (the default) preloads jemalloc (Debian's libjemalloc2) when it is
# installed, with freed memory kept for reuse (no decay), and otherwise keeps glibc's malloc with
# a one-line note; =jemalloc requires it (exit 2 when missing); =system keeps glibc's malloc.
# Why: glibc hands every freed tensor above 32 MB back to the kernel and the next one faults its
# pages in again (~4 us per 4 KiB page here). Measured alone on 2 cores (README, "The native
# allocator"): the 1M-class PartialFC step 3,709 -> 972 ms, the 100k ArcFace head 1,640 -> 750 ms,
# leave-one-out retrieval on 100k x 128 56.6 -> 37.9 s, FaceResNet training 24 -> 14 s per 8 steps.
# A MALLOC_CONF of your own wins.
jemalloc_conf="dirty_decay_ms:-1,muzzy_decay_ms:-1"
metric4j_find_jemalloc() {
  local lib
  for lib in /usr/lib/x86_64-linux-gnu/libjemalloc.so.2 /usr/lib/aarch64-linux-gnu/libjemalloc.so.2 \
      /usr/lib64/libjemalloc.so.2 /usr/lib/libjemalloc.so.2; do
    if [ -f "$lib" ]; then
      echo "$lib"
      return 0
    fi
  done
  return 1
}
metric4j_preload_jemalloc() {
  export LD_PRELOAD="$1${LD_PRELOAD:+:$LD_PRELOAD}"
  export MALLOC_CONF="${MALLOC_CONF:-$jemalloc_conf}"
}
case "${METRIC4J_ALLOCATOR:-auto}" in
  system) ;;
  auto)
    if jemalloc_lib="$(metric4j_find_jemalloc)"; then
      metric4j_preload_jemalloc "$jemalloc_lib"
    else
      echo "metric4j: no libjemalloc.so.2 found, using glibc's malloc (heads of 100k classes and more and large evaluations run up to 3.8x slower; Debian: apt-get install libjemalloc2; METRIC4J_ALLOCATOR=system silences this)" >&2
    fi
    ;;
  jemalloc)
    if ! jemalloc_lib="$(metric4j_find_jemalloc)"; then
      echo "metric4j: METRIC4J_ALLOCATOR=jemalloc, but no libjemalloc.so.2 was found (Debian: apt-get install libjemalloc2)" >&2
      exit 2
    fi
    metric4j_preload_jemalloc "$jemalloc_lib"
    ;;
  *)
    echo "metric4j: METRIC4J_ALLOCATOR must be auto, jemalloc or system, got '${METRIC4J_ALLOCATOR}'" >&2
    exit 2
    ;;
esac
