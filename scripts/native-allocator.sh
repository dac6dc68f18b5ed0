# Sourced by the launcher (and by SoakIT for its child JVM, so that both run alike): chooses the
# native allocator through LD_PRELOAD / MALLOC_CONF before the JVM starts (default: glibc's).
# METRIC4J_ALLOCATOR=jemalloc preloads jemalloc (Debian's libjemalloc2) with freed memory kept for
# reuse (no decay): glibc hands every freed tensor above 32 MB back to the kernel and the next one
# faults its pages in again (~4 us per 4 KiB page here). Measured alone on 2 cores (README, "The
# native allocator"): the 1M-class PartialFC step 3,709 -> 972 ms, the 100k ArcFace head 1,640 ->
# 750 ms, leave-one-out retrieval on 100k x 128 56.6 -> 37.9 s, k-NN 10k vs 1M 128 -> 115 s. Not
# the default yet: the training suite and runs longer than SoakIT's were not measured under it.
# A MALLOC_CONF of your own wins.
jemalloc_conf="dirty_decay_ms:-1,muzzy_decay_ms:-1"
case "${METRIC4J_ALLOCATOR:-system}" in
  system) ;;
  jemalloc)
    jemalloc_lib=""
    for lib in /usr/lib/x86_64-linux-gnu/libjemalloc.so.2 /usr/lib/aarch64-linux-gnu/libjemalloc.so.2 \
        /usr/lib64/libjemalloc.so.2 /usr/lib/libjemalloc.so.2; do
      if [ -f "$lib" ]; then
        jemalloc_lib="$lib"
        break
      fi
    done
    if [ -z "$jemalloc_lib" ]; then
      echo "metric4j: METRIC4J_ALLOCATOR=jemalloc, but no libjemalloc.so.2 was found (Debian: apt-get install libjemalloc2)" >&2
      exit 2
    fi
    export LD_PRELOAD="$jemalloc_lib${LD_PRELOAD:+:$LD_PRELOAD}"
    export MALLOC_CONF="${MALLOC_CONF:-$jemalloc_conf}"
    ;;
  *)
    echo "metric4j: METRIC4J_ALLOCATOR must be system or jemalloc, got '${METRIC4J_ALLOCATOR}'" >&2
    exit 2
    ;;
esac
