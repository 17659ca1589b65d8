# A simulated package manager. The header above sets PM (apt-get, yum, dnf,
# zypper), PM_VERSION, PM_SCHEME (how its repositories are reached), and
# PM_SITE/PM_MODULE: the Python module it runs on ("" for apt-get and
# zypper; dnf for a yum that is dnf under another name). Packages it can
# install are directories under $H/repo: a deps file and a files/ tree
# copied onto /. Installed packages are marked in $H/installed. It speaks
# with each package manager's own messages and exit codes, and takes the
# lock the real one takes: a pid file whose process runs (/proc/PID) holds it.
set -u
. /var/lib/hostmodel/lib/common.sh

# kind is the program behind the name: yum on RHEL 8 and later is dnf.
kind=$PM
case $PM_MODULE in dnf) kind=dnf ;; esac
[ "$PM" != apt-get ] || kind=apt

if [ -n "$PM_MODULE" ] && [ ! -f "$H/site/$PM_SITE/$PM_MODULE" ]; then
  case $kind in
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
  case $kind in
    apt) exit 100 ;;
    zypper) exit "$1" ;;
    *) exit 1 ;;
  esac
}

# os_value KEY prints KEY from /etc/os-release, unquoted.
os_value() {
  sed -n "s/^$1=//p" </etc/os-release | tr -d '"' | head -n 1
}

# repo_name prints the name of the node's main repository, as its
# package manager names it in errors.
repo_name() {
  rn_id=$(os_value ID)
  rn_v=$(os_value VERSION_ID)
  case $kind/$rn_id in
    yum/amzn) if [ "$rn_v" = 2 ]; then echo "amzn2-core/2/x86_64"; else echo "amzn-main/latest"; fi ;;
    yum/*) echo "rhui-rhel-7-server-rhui-rpms/7Server/x86_64" ;;
    dnf/amzn) echo "amazonlinux" ;;
    dnf/rhel) echo "rhel-${rn_v%%.*}-baseos-rhui-rpms" ;;
    dnf/*) echo "baseos" ;;
    apt/debian) echo "cdn-aws.deb.debian.org" ;;
    apt/*) echo "${AWS_SSM_REGION_NAME:-us-east-1}.ec2.archive.ubuntu.com" ;;
    zypper/*) echo "SLE-Module-Basesystem15-SP5-Updates" ;;
  esac
}

# curl_reason prints how libcurl words a failed connection.
curl_reason() {
  case $1 in
    dns) echo "(6) Could not resolve host" ;;
    refused | badproxy) echo "(7) Failed to connect: Connection refused" ;;
    denied) echo "(56) CONNECT tunnel failed, response 403" ;;
    *) echo "(28) Connection timed out after 5000 milliseconds" ;;
  esac
}

# dnf_skips succeeds when dnf is set to skip repositories it cannot reach
# (skip_if_unavailable, the default on Amazon Linux 2023).
dnf_skips() {
  [ -r /etc/dnf/dnf.conf ] || return 1
  case $(sed -n 's/^[[:space:]]*skip_if_unavailable[[:space:]]*=[[:space:]]*//p' </etc/dnf/dnf.conf | tail -n 1) in
    True | true | 1 | yes) return 0 ;;
  esac
  return 1
}

# repos_reachable refreshes the repositories' metadata, or fails the way
# the package manager does when it cannot reach them.
repos_reachable() {
  net_check repos repo.example "$PM_SCHEME"
  [ -n "$net_err" ] || return 0
  rr_repo=$(repo_name)
  case $kind in
    apt)
      case $net_err in
        dns) rr_why="Temporary failure resolving '$rr_repo'" ;;
        refused | badproxy) rr_why="Could not connect to $rr_repo:80, connection refused" ;;
        denied) rr_why="403  Forbidden [IP: 10.0.0.1 3128]" ;;
        *) rr_why="Could not connect to $rr_repo:80, connection timed out" ;;
      esac
      if [ "$verb" = update ]; then
        # apt-get update warns and carries on with the lists it had.
        echo "Err:1 http://$rr_repo stable InRelease"
        echo "  $rr_why"
        echo "W: Failed to fetch http://$rr_repo/dists/stable/InRelease  $rr_why" >&2
        echo "W: Some index files failed to download. They have been ignored, or old ones used instead." >&2
        return 0
      fi
      echo "E: Failed to fetch http://$rr_repo/pool/main/index  $rr_why" >&2
      echo "E: Unable to fetch some archives, maybe run apt-get update or try with --fix-missing?" >&2 ;;
    yum)
      echo "Could not retrieve mirrorlist https://$rr_repo/mirror.list error was" >&2
      echo "12: Timeout on https://$rr_repo/mirror.list: $(curl_reason "$net_err")" >&2
      echo "" >&2
      echo " One of the configured repositories failed (Unknown)," >&2
      echo " and yum doesn't have enough cached data to continue. At this point the only" >&2
      echo " safe thing yum can do is fail." >&2
      echo "Cannot find a valid baseurl for repo: $rr_repo" >&2 ;;
    dnf)
      echo "Errors during downloading metadata for repository '$rr_repo':" >&2
      echo "  - Curl error $(curl_reason "$net_err")" >&2
      echo "Error: Failed to download metadata for repo '$rr_repo': Cannot download repomd.xml: Cannot download repodata/repomd.xml: All mirrors were tried" >&2
      if dnf_skips; then
        echo "Ignoring repositories: $rr_repo"
        return 0
      fi ;;
    zypper)
      echo "Download (curl) error for 'https://updates.suse.com/$rr_repo/repodata/repomd.xml':" >&2
      echo "Error code: Connection failed" >&2
      echo "Repository '$rr_repo' is invalid." >&2
      echo "Some of the repositories have not been refreshed because of an error." >&2 ;;
  esac
  fail_code 4
}

# lock_check fails the way the package manager does when another process
# holds its lock. Real yum and dnf wait for the holder; the stub stops at
# once, as yum does with exit_on_lock.
lock_check() {
  case $kind in
    yum) lc_f=/var/run/yum.pid ;;
    dnf) lc_f=/var/cache/dnf/metadata_lock.pid ;;
    apt) if [ "$verb" = update ]; then lc_f=/var/lib/apt/lists/lock; else lc_f=/var/lib/dpkg/lock-frontend; fi ;;
    zypper) lc_f=/run/zypp.pid ;;
  esac
  [ -f "$lc_f" ] || return 0
  lc_pid=$(head -n 1 <"$lc_f")
  case $lc_pid in '' | *[!0-9]*) return 0 ;; esac
  # A pid file whose process is gone is a stale lock: taken over.
  [ -r "/proc/$lc_pid/comm" ] || return 0
  lc_name=$(head -n 1 <"/proc/$lc_pid/comm")
  case $kind in
    yum)
      echo "Another app is currently holding the yum lock; waiting for it to exit..." >&2
      echo "  The other application is: $lc_name" >&2
      echo "Existing lock /var/run/yum.pid: another copy is running as pid $lc_pid." >&2
      exit 200 ;;
    dnf)
      echo "Waiting for process with pid $lc_pid to finish." >&2
      echo "Error: Failed to obtain the transaction lock (logged in as: root)." >&2
      exit 1 ;;
    apt)
      echo "E: Could not get lock $lc_f. It is held by process $lc_pid ($lc_name)" >&2
      if [ "$verb" = update ]; then
        echo "E: Unable to lock directory /var/lib/apt/lists/" >&2
      else
        echo "E: Unable to acquire the dpkg frontend lock (/var/lib/dpkg/lock-frontend), is another process using it?" >&2
      fi
      exit 100 ;;
    zypper)
      echo "System management is locked by the application with pid $lc_pid ($lc_name)." >&2
      echo "Close this application before trying again." >&2
      exit 7 ;;
  esac
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
    lock_check
    repos_reachable
    exit 0 ;;
  install | in)
    lock_check
    # apt-get installs from the lists it has: with nothing to install it
    # needs no network. The others load their repositories' metadata
    # first, whatever is asked.
    needed=false
    for p in $pkgs; do [ -f "$H/installed/$p" ] || needed=true; done
    if [ "$kind" != apt ] || [ "$needed" = true ]; then repos_reachable; fi
    for p in $pkgs; do
      if [ ! -f "$H/installed/$p" ] && [ ! -d "$H/repo/$p" ]; then
        case $kind in
          apt) echo "E: Unable to locate package $p" >&2 ;;
          yum) echo "No package $p available." >&2; echo "Error: Nothing to do" >&2 ;;
          dnf) echo "No match for argument: $p" >&2; echo "Error: Unable to find a match: $p" >&2 ;;
          zypper) echo "No provider of '$p' found." >&2 ;;
        esac
        fail_code 104
      fi
    done
    for p in $pkgs; do
      if [ -f "$H/installed/$p" ]; then
        case $kind in
          apt) echo "$p is already the newest version." ;;
          *) echo "Package $p is already installed." ;;
        esac
      else
        install_one "$p"
      fi
    done
    exit 0 ;;
  *)
    echo "$PM: simulated for install and update only" >&2
    exit 1 ;;
esac
