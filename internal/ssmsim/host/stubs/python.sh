# A simulated Python interpreter. The header above sets PY_PATH, PY_VERSION
# and PY_SITE; modules live in $H/site/$PY_SITE/<module>, one file each
# holding the module's version. It understands the code patchready and the
# patch run give it: imports, printing sys.version_info or a module's
# __version__, and -m pip (--version, install).
set -u
. /var/lib/hostmodel/lib/common.sh
site=$H/site/$PY_SITE
major=${PY_VERSION%%.*}
short=${PY_VERSION%.*}

have() { [ -f "$site/$1" ]; }
modver() { head -n 1 <"$site/$1"; }

noimport() {
  if [ "$major" = 2 ]; then
    echo "ImportError: No module named $1" >&2
  else
    echo "ModuleNotFoundError: No module named '$1'" >&2
  fi
  exit 1
}

run_code() {
  for m in $(printf '%s\n' "$1" | tr ';' '\n' |
    sed -n 's/^[[:space:]]*import[[:space:]][[:space:]]*\([A-Za-z_][A-Za-z0-9_]*\).*/\1/p'); do
    case $m in sys | os) ;; *) have "$m" || noimport "$m" ;; esac
  done
  case $1 in *sys.version_info*) echo "$PY_VERSION" ;; esac
  m=$(printf '%s\n' "$1" | sed -n 's/.*print(\([A-Za-z_][A-Za-z0-9_]*\)\.__version__).*/\1/p' | head -n 1)
  if [ -n "$m" ]; then modver "$m"; fi
  exit 0
}

# best_requests prints the newest requests the index offers this Python.
best_requests() {
  br=""
  while read -r br_v br_py; do
    if ! vlt "$short" "$br_py"; then br=$br_v; fi
  done <"$H/pypi/requests"
  printf '%s' "$br"
}

pip_install() {
  upgrade=false
  specs=""
  while [ $# -gt 0 ]; do
    case $1 in
      -U | --upgrade) upgrade=true ;;
      -q | --quiet | --disable-pip-version-check | --no-cache-dir) ;;
      --upgrade-strategy)
        if vlt "$(modver pip)" 8; then
          echo "no such option: --upgrade-strategy" >&2
          exit 2
        fi
        shift ;;
      -*) echo "no such option: $1" >&2; exit 2 ;;
      *) specs="$specs $1" ;;
    esac
    shift
  done
  for spec in $specs; do
    name=${spec%%[<>=]*}
    min=""
    case $spec in *'>='*) min=${spec#*>=} ;; esac
    if [ "$name" != requests ]; then
      echo "ERROR: Could not find a version that satisfies the requirement $spec" >&2
      exit 1
    fi
    cur=""
    have requests && cur=$(modver requests)
    if [ -n "$cur" ] && [ "$upgrade" = false ] && { [ -z "$min" ] || ! vlt "$cur" "$min"; }; then
      echo "Requirement already satisfied: $spec"
      continue
    fi
    net_check pypi pypi.org https
    if [ -n "$net_err" ]; then
      echo "WARNING: Retrying after connection broken by 'NewConnectionError': /simple/requests/" >&2
      echo "ERROR: Could not find a version that satisfies the requirement $spec (from versions: none)" >&2
      exit 1
    fi
    best=$(best_requests)
    if [ -z "$best" ] || { [ -n "$min" ] && vlt "$best" "$min"; }; then
      echo "ERROR: Could not find a version that satisfies the requirement $spec" >&2
      exit 1
    fi
    if [ -n "$cur" ] && ! vlt "$cur" "$best"; then
      echo "Requirement already up-to-date: $spec"
      continue
    fi
    printf '%s\n' "$best" >"$site/requests"
    echo "Successfully installed requests-$best"
    # pip replacing modules the package manager's own packages own is how
    # a yum breaks after a requests upgrade.
    if [ -f "$H/faults/pip-breaks-yum" ]; then rm -f "$site/yum"; fi
  done
  exit 0
}

run_pip() {
  have pip || { echo "$PY_PATH: No module named pip" >&2; exit 1; }
  if [ "$short" = 2.6 ]; then
    echo "$PY_PATH: pip is a package and cannot be directly executed" >&2
    exit 1
  fi
  case ${1-} in
    --version | -V)
      echo "pip $(modver pip) from /usr/lib/python$short/site-packages/pip (python $short)"
      exit 0 ;;
    install) shift; pip_install "$@" ;;
    *) echo "ERROR: unknown command \"${1-}\"" >&2; exit 1 ;;
  esac
}

case ${1-} in
  --version | -V)
    if [ "$major" = 2 ]; then echo "Python $PY_VERSION" >&2; else echo "Python $PY_VERSION"; fi
    exit 0 ;;
  -c) run_code "${2-}" ;;
  -m)
    case ${2-} in
      pip) shift 2; run_pip "$@" ;;
      *) echo "$PY_PATH: No module named ${2-}" >&2; exit 1 ;;
    esac ;;
  *) echo "simulated python: unsupported arguments" >&2; exit 2 ;;
esac
