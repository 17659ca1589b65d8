# A simulated package manager. The header above sets PM (apt-get, yum, dnf,
# zypper), PM_VERSION, PM_SCHEME (how its repositories are reached), and
# PM_SITE/PM_MODULE: the Python module it runs on ("" for apt-get and
# zypper). Packages it can install are directories under $H/repo: a deps
# file and a files/ tree copied onto /. Installed packages are marked in
# $H/installed.
set -u
. /var/lib/hostmodel/lib/common.sh

if [ -n "$PM_MODULE" ] && [ ! -f "$H/site/$PM_SITE/$PM_MODULE" ]; then
  case $PM in
    yum) printf 'There was a problem importing one of the Python modules\nrequired to run yum.\n' >&2 ;;
    *) echo "ModuleNotFoundError: No module named '$PM_MODULE'" >&2 ;;
  esac
  exit 1
fi

verb=""
pkgs=""
for a in "$@"; do
  case $a in
    --version) echo "$PM_VERSION"; exit 0 ;;
    -*) ;;
    *) if [ -z "$verb" ]; then verb=$a; else pkgs="$pkgs $a"; fi ;;
  esac
done

fail_code() {
  case $PM in
    apt-get) exit 100 ;;
    zypper) exit "$1" ;;
    *) exit 1 ;;
  esac
}

repos_reachable() {
  net_check repos repo.example "$PM_SCHEME"
  [ -z "$net_err" ] && return 0
  case $PM in
    apt-get) echo "E: Failed to fetch some index files ($net_err)" >&2 ;;
    yum) echo "Cannot retrieve repository metadata (repomd.xml) ($net_err)" >&2 ;;
    dnf) echo "Error: Failed to download metadata for repo ($net_err)" >&2 ;;
    zypper) echo "Repository is not reachable ($net_err)" >&2 ;;
  esac
  fail_code 4
}

install_one() {
  if [ -f "$H/installed/$1" ]; then return 0; fi
  if [ -f "$H/repo/$1/deps" ]; then
    for d in $(cat "$H/repo/$1/deps"); do install_one "$d"; done
  fi
  if [ -d "$H/repo/$1/files" ]; then cp -RP "$H/repo/$1/files/." /; fi
  : >"$H/installed/$1"
  echo "Installed: $1"
}

case $verb in
  update | makecache | refresh | ref)
    repos_reachable
    exit 0 ;;
  install | in)
    repos_reachable
    for p in $pkgs; do
      if [ ! -f "$H/installed/$p" ] && [ ! -d "$H/repo/$p" ]; then
        case $PM in
          apt-get) echo "E: Unable to locate package $p" >&2 ;;
          yum) echo "No package $p available." >&2; echo "Error: Nothing to do" >&2 ;;
          dnf) echo "No match for argument: $p" >&2; echo "Error: Unable to find a match: $p" >&2 ;;
          zypper) echo "No provider of '$p' found." >&2 ;;
        esac
        fail_code 104
      fi
    done
    for p in $pkgs; do
      if [ -f "$H/installed/$p" ]; then
        echo "Package $p is already installed."
      else
        install_one "$p"
      fi
    done
    exit 0 ;;
  *)
    echo "$PM: simulated for install and update only" >&2
    exit 1 ;;
esac
