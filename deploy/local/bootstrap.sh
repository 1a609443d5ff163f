#!/usr/bin/env bash
# Create the virtualenv, installing Debian's venv support first if this Python lacks it.
set -euo pipefail
python=${1:?python}
venv=${2:?venv dir}
if [[ -z "$python" ]]; then
  echo "error: Python 3.11 is required (install python3.11)" >&2; exit 1
fi
version=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
if [[ "$version" != "3.11" ]]; then
  echo "error: Python 3.11 is required, $python is $version" >&2; exit 1
fi
sudo=""; [[ $(id -u) -eq 0 ]] || sudo="sudo -n"
# The ingest service compiles its VCF record scanner (a C extension): a C compiler and the
# headers of this Python are needed.
include=$("$python" -c 'import sysconfig; print(sysconfig.get_path("include"))')
if ! command -v gcc >/dev/null || [[ ! -f "$include/Python.h" ]]; then
  echo "installing a C compiler and the Python 3.11 headers from Debian's packages ..."
  DEBIAN_FRONTEND=noninteractive $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq gcc libc6-dev python3.11-dev
fi
if [[ ! -x "$venv/bin/python" ]]; then
  if ! "$python" -m venv "$venv" 2>/dev/null; then
    rm -rf "$venv"
    echo "installing python3-venv from Debian's packages ..."
    DEBIAN_FRONTEND=noninteractive $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3.11-venv
    "$python" -m venv "$venv"
  fi
  "$venv/bin/pip" install -q --upgrade pip setuptools wheel
fi
