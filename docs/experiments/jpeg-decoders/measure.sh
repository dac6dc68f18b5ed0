#!/usr/bin/env bash
# Java ImageIO vs PIL on real JPEGs: pixel differences and cosines of mbf.onnx embeddings.
# usage: docs/experiments/jpeg-decoders/measure.sh WORK_DIR JPEG...   (from the repository root;
# the first JPEG should be a photo). METRIC4J overrides the command (default ./metric4j).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$1"; shift
metric4j="${METRIC4J:-./metric4j}"
model=metric4j-app/src/test/resources/insightface/backbones/mbf.onnx
/usr/bin/python3 "$here/measure.py" prepare "$work" "$@"
java -cp "${APP_CLASSES:-metric4j-app/target/classes}" "$here/ImageIoDecode.java" "$work/jpeg/x" "$work/imageio"
# the same preprocessing (Java2D bilinear resize to 112 x 112) for both: PNG decoding is exact
$metric4j embed --onnx "$model" --images "$work/jpeg" --output "$work/emb-jpeg.npy"
$metric4j embed --onnx "$model" --images "$work/pil" --output "$work/emb-pil.npy"
JAVA_VERSION="$(java -version 2>&1 | head -1)" /usr/bin/python3 "$here/measure.py" compare "$work"
