#!/usr/bin/env bash
# Installs the Debian packages the tests need, if missing. Safe to re-run.
set -euo pipefail
need=()
# command:package — tesseract and its language data for OCR, pdftotext for
# the extraction quality harness and as the text-layer baseline.
for cmd_pkg in "pg_isready:postgresql-client" "tesseract:tesseract-ocr" "pdftotext:poppler-utils"; do
  cmd=${cmd_pkg%%:*}; pkg=${cmd_pkg#*:}
  command -v "$cmd" >/dev/null 2>&1 || need+=("$pkg")
done
for lang in eng deu pol fra; do
  [ -f "/usr/share/tesseract-ocr/5/tessdata/$lang.traineddata" ] || need+=("tesseract-ocr-$lang")
done
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing packages: ${need[*]} (install them, or run make test as root)" >&2
    exit 1
  fi
  echo "installing ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
