#!/bin/sh
# patchlinux.sh: the PatchLinux step of the simulator's AWS-RunPatchBaseline.
#
# Up to the payload download it mirrors the Linux step of AWS's published
# document: the same look-ups with `which` (whose output shows in the
# step's output, as it does there), the same choice of interpreter in the
# same order, the same messages and exit codes. That script is bash and
# hands its second half to Python; this one is POSIX sh (it runs under
# dash too) and says in shell what that Python does: the payload's
# download with curl or wget, its log lines, its abort codes and their
# messages on standard error (154, 155, 156). The logger's lines leave out
# the time it stamps on them, so that identical nodes print identical
# output.
#
# After the download a stand-in for the payload models the scan on the
# node: the payload needs room to unpack in /var; its calls to SSM
# through the agent's proxy need requests 2.18.4 or later; its
# interpreter must import the package manager's module; the package
# manager must get its lock and reach its repositories (each prints its
# own errors). Then it reports what the node's model says a scan finds
# (the line starting "Patch compliance summary:", which the simulator
# reads into the node's patch state). It models Operation=Scan only.
set -u

PYTHON_CMD=''

# check_binary NAME VAR sets HAS_VAR to the exit status of `which NAME`
# and VAR_CMD to NAME when found, unless HAS_VAR is already 0.
check_binary() {
  eval "cb_has=\${HAS_$2-}"
  if [ "$cb_has" = "0" ]; then return; fi
  which "$1" 2>/dev/null
  cb_rc=$?
  eval "HAS_$2=$cb_rc"
  if [ "$cb_rc" -eq 0 ]; then eval "$2_CMD=$1"; fi
}

check_binary python3 PYTHON3
check_binary python2.6 PYTHON2_6
check_binary python26 PYTHON26
check_binary python2.7 PYTHON2_7
check_binary python27 PYTHON27
check_binary python2 PYTHON2

which python 2>/dev/null
if [ $? -eq 0 ]; then
  # The real script takes the digit with grep -P; sed reads it the same.
  PYTHON_VERSION=$(python --version 2>&1 | sed -n 's/^Python \([0-9]\).*/\1/p' | head -n 1)
  case $PYTHON_VERSION in
    2) HAS_PYTHON2=0; PYTHON2_CMD=python ;;
    3) HAS_PYTHON3=0; PYTHON3_CMD=python ;;
  esac
fi

check_binary apt-get APT
check_binary yum YUM
check_binary dnf DNF
check_binary zypper ZYPP

check_install_code() {
  if [ "$1" -ne 0 ]; then
    echo "WARNING: Could not install the $2, this may cause the patching operation to fail." >&2
  fi
}

HAS_ANY_PYTHON2=1
for CANDIDATE in "$HAS_PYTHON2_6" "$HAS_PYTHON26" "$HAS_PYTHON2_7" "$HAS_PYTHON27" "$HAS_PYTHON2"; do
  if [ "$CANDIDATE" -eq 0 ]; then
    HAS_ANY_PYTHON2=0
  fi
done

# The real script also prepares Debian 8 nodes here (a signing key, the
# jessie backports); no simulated node runs Debian 8.
pl_pm=""
if [ "$HAS_APT" -eq 0 ] && [ "$HAS_PYTHON3" -eq 0 ]; then
  PYTHON_CMD=$PYTHON3_CMD
  pl_pm=apt
  apt-get install python3-apt -y
  check_install_code $? "python3-apt"
elif [ "$HAS_DNF" -eq 0 ] && { [ "$HAS_PYTHON2" -eq 0 ] || [ "$HAS_PYTHON3" -eq 0 ]; }; then
  pl_pm=dnf
  if [ "$HAS_PYTHON2" -eq 0 ]; then
    PYTHON_CMD=$PYTHON2_CMD
  elif [ "$HAS_PYTHON3" -eq 0 ]; then
    PYTHON_CMD=$PYTHON3_CMD
  fi
elif [ "$HAS_YUM" -eq 0 ] && [ "$HAS_ANY_PYTHON2" -eq 0 ]; then
  pl_pm=yum
  HAS_COMPATIBLE_YUM=false
  for TEST_PYTHON_CMD in ${PYTHON2_7_CMD-} ${PYTHON27_CMD-} ${PYTHON2_CMD-} ${PYTHON2_6_CMD-} ${PYTHON26_CMD-}; do
    if ! "$TEST_PYTHON_CMD" -c "import yum" 2>/dev/null; then
      echo "Unable to import yum module on $TEST_PYTHON_CMD"
    else
      PYTHON_CMD=$TEST_PYTHON_CMD
      HAS_COMPATIBLE_YUM=true
      break
    fi
  done
  if ! $HAS_COMPATIBLE_YUM; then
    echo "Unable to import yum module, please check version compatibility between Yum and Python"
    exit 1
  else
    YUM_VERSION=$(yum --version 2>/dev/null | sed -n 1p)
    echo "Using Yum version: $YUM_VERSION"
  fi
elif [ "$HAS_ZYPP" -eq 0 ] && [ "$HAS_PYTHON3" -eq 0 ]; then
  pl_pm=zypper
  PYTHON_CMD=$PYTHON3_CMD
elif [ "$HAS_ZYPP" -eq 0 ] && [ "$HAS_PYTHON2" -eq 0 ]; then
  pl_pm=zypper
  PYTHON_CMD=$PYTHON2_CMD
else
  echo "An unsupported package manager and python version combination was found."
  if [ "$HAS_DNF" -eq 0 ]; then
    echo "Dnf requires Python2 or Python3 to be installed."
  elif [ "$HAS_YUM" -eq 0 ]; then
    echo "Yum requires Python2 to be installed."
  elif [ "$HAS_APT" -eq 0 ]; then
    echo "Apt requires Python3 to be installed."
  elif [ "$HAS_ZYPP" -eq 0 ]; then
    echo "ZYpp requires Python2 or Python3 to be installed."
  fi
  echo "Python3=$HAS_PYTHON3, Python2=$HAS_ANY_PYTHON2, Yum=$HAS_YUM, Apt=$HAS_APT, Zypper=$HAS_ZYPP, Dnf=$HAS_DNF"
  echo "Exiting..."
  exit 1
fi

echo "Using python binary: '${PYTHON_CMD}'"
PYTHON_VERSION=$(${PYTHON_CMD} --version 2>&1)
echo "Using Python Version: $PYTHON_VERSION"

# The real script fetches the instance role's credentials from the
# instance metadata service here, for the payload's calls to SSM and S3.
# The simulated payload makes none, so the step is left out.

# From here on: what the real script's Python does.
pl_tmp_dir=/var/log/amazon/ssm/patch-baseline-operations
pl_payload=patch-baseline-operations-1.80.tar.gz
pl_prefix=patchbaselineoperations/linux/payloads

# pl_log LEVEL MESSAGE prints a line as the payload's logger does
# ("%(name)s [%(levelname)s]: %(message)s" after the time).
pl_log() {
  printf 'root [%s]: %s\n' "$1" "$2"
}

# pl_abort CODE MESSAGE removes the work directory, writes MESSAGE on
# standard error without a newline, and exits CODE, as abort() does.
pl_abort() {
  rm -rf "$pl_tmp_dir"
  printf '%s' "$2" >&2
  exit "$1"
}

# pl_raise TYPE MESSAGE ends the run as an exception nothing catches ends
# a Python program: a traceback on standard error and exit 1.
pl_raise() {
  printf 'Traceback (most recent call last):\n  File "<stdin>", line 1, in <module>\n%s: %s\n' "$1" "$2" >&2
  exit 1
}

pl_major=$(printf '%s' "$PYTHON_VERSION" | sed -n 's/^Python \([0-9]\).*/\1/p')

# A reboot directory left by an install run makes the payload load afresh.
for pl_d in "$pl_tmp_dir-reboot-194" "$pl_tmp_dir-reboot-195" "$pl_tmp_dir-reboot-196"; do
  if [ -e "$pl_d" ]; then rm -rf "$pl_tmp_dir"; fi
done

if ! mkdir -p "$pl_tmp_dir" 2>/dev/null; then
  pl_log ERROR "Unable to create dir: $pl_tmp_dir"
  pl_abort 154 "Unable to create dir: $pl_tmp_dir"
fi
cd "$pl_tmp_dir" || pl_raise OSError "[Errno 2] No such file or directory: '$pl_tmp_dir'"

[ -n "${AWS_SSM_REGION_NAME+set}" ] || pl_raise KeyError "'AWS_SSM_REGION_NAME'"
pl_region=$AWS_SSM_REGION_NAME

pl_bucket=aws-ssm-$pl_region
case $pl_region in
  me-south-1) pl_bucket=aws-patch-manager-me-south-1-a53fc9dce ;;
  af-south-1) pl_bucket=aws-patch-manager-af-south-1-bdd5f65a9 ;;
  eu-south-1) pl_bucket=aws-patch-manager-eu-south-1-c52f3f594 ;;
  ap-northeast-3) pl_bucket=aws-patch-manager-ap-northeast-3-67373598a ;;
esac
# The regions that existed when the payload buckets moved keep the old
# ones; later commercial regions use an accelerated bucket.
pl_old=false
case $pl_region in
  ap-east-1 | us-gov-east-1 | us-gov-west-1 | cn-northwest-1 | cn-north-1 | ca-central-1 | \
    ap-southeast-2 | ap-southeast-1 | us-west-1 | us-west-2 | ap-northeast-1 | eu-west-2 | ap-northeast-2 | \
    us-east-1 | sa-east-1 | eu-central-1 | eu-west-1 | us-east-2 | eu-west-3 | ap-south-1 | eu-north-1 | \
    me-south-1 | af-south-1 | eu-south-1 | ap-northeast-3)
    pl_old=true ;;
esac
if [ "$pl_old" = false ]; then
  case $pl_region in cn-* | us-gov-*) ;; *) pl_bucket=aws-patch-manager-$pl_region ;; esac
fi
case $pl_region in
  cn-*) pl_url=https://s3.$pl_region.amazonaws.com.cn/$pl_bucket/$pl_prefix/$pl_payload ;;
  us-gov-*) pl_url=https://s3-fips-$pl_region.amazonaws.com/$pl_bucket/$pl_prefix/$pl_payload ;;
  *)
    if [ "$pl_old" = true ]; then
      pl_url=https://s3.dualstack.$pl_region.amazonaws.com/$pl_bucket/$pl_prefix/$pl_payload
    else
      pl_url=https://$pl_bucket.s3-accelerate.dualstack.amazonaws.com/$pl_prefix/$pl_payload
    fi ;;
esac

# download_to: curl when `which curl` finds it, else wget. Their output and
# errors are not kept. With neither, starting wget raises, and nothing
# catches it.
pl_dl=wget
if which curl >/dev/null 2>&1; then pl_dl=curl; fi
pl_log INFO "Downloading payload from $pl_url"
if [ "$pl_dl" = curl ]; then
  curl -f -o "$pl_payload" "$pl_url" >/dev/null 2>&1
  pl_rc=$?
else
  wget -O "$pl_payload" "$pl_url" >/dev/null 2>&1
  pl_rc=$?
  if [ "$pl_rc" -eq 127 ]; then
    if [ "$pl_major" = 2 ]; then
      pl_raise OSError "[Errno 2] No such file or directory"
    fi
    pl_raise FileNotFoundError "[Errno 2] No such file or directory: 'wget'"
  fi
fi
if [ "$pl_rc" -ne 0 ]; then
  pl_log ERROR "Error code returned from $pl_dl is $pl_rc"
  pl_abort 156 "Unable to download payload: $pl_url."
fi

# The real payload's checksum is verified here; the simulated payload is
# not the real tarball, so there is nothing to compare. Unpacking needs
# room in /var: the payload and what it unpacks take about 16 MiB.
pl_free_kb=$(df -Pk /var 2>/dev/null | tail -n 1 | {
  read -r pl_fs pl_size pl_used pl_avail pl_rest
  printf '%s' "${pl_avail-}"
})
case $pl_free_kb in
  '' | *[!0-9]*) ;;
  *)
    if [ "$pl_free_kb" -lt 16384 ]; then
      pl_log ERROR "Unable to extract tar file: $pl_tmp_dir/$pl_payload."
      pl_log ERROR "[Errno 28] No space left on device"
      echo "Traceback (most recent call last):"
      echo "  File \"<stdin>\", line 1, in extract_tar"
      if [ "$pl_major" = 2 ]; then
        echo "IOError: [Errno 28] No space left on device"
      else
        echo "OSError: [Errno 28] No space left on device"
      fi
      pl_abort 155 "Unable to extract tar file: $pl_tmp_dir/$pl_payload."
    fi ;;
esac

# The payload: common_startup_entrance.execute("os_selector", "PatchLinux",
# SnapshotId, Operation, InstallOverrideList, RebootOption, BaselineOverride).
pl_operation='{{ Operation }}'
pl_snapshot='{{ SnapshotId }}'
pl_reboot='{{ RebootOption }}'
pl_log INFO "Attempting to import entrance file os_selector"
if [ "$pl_operation" != Scan ]; then
  pl_log ERROR "Operation $pl_operation is not simulated"
  rm -rf "$pl_tmp_dir"
  printf 'patchready simulator: AWS-RunPatchBaseline Operation=%s is not simulated; the simulator models Operation=Scan only.' "$pl_operation" >&2
  exit 1
fi
pl_log INFO "Running with snapshot id = $pl_snapshot and operation = $pl_operation"
pl_log INFO "Instance Id: ${AWS_SSM_INSTANCE_ID-}"
pl_log INFO "Region: $pl_region"
pl_log INFO "Operation type: $pl_operation"
pl_log INFO "Reboot Option: $pl_reboot"

# pl_vlt A B succeeds when dotted version A is lower than B.
pl_vlt() {
  pv_a=$1
  pv_b=$2
  while [ -n "$pv_a$pv_b" ]; do
    pv_x=${pv_a%%.*}
    pv_y=${pv_b%%.*}
    if [ "$pv_x" = "$pv_a" ]; then pv_a=""; else pv_a=${pv_a#*.}; fi
    if [ "$pv_y" = "$pv_b" ]; then pv_b=""; else pv_b=${pv_b#*.}; fi
    case $pv_x in '' | *[!0-9]*) pv_x=0 ;; esac
    case $pv_y in '' | *[!0-9]*) pv_y=0 ;; esac
    if [ "$pv_x" -lt "$pv_y" ]; then return 0; fi
    if [ "$pv_x" -gt "$pv_y" ]; then return 1; fi
  done
  return 1
}

# The payload fetches the baseline's snapshot from SSM with the
# interpreter's requests, through the agent's proxy when it has one:
# requests older than 2.18.4 cannot, and the payload fails with the
# snapshot error code (143).
pl_proxy=${https_proxy-}
[ -n "$pl_proxy" ] || pl_proxy=${HTTPS_PROXY-}
case ",${no_proxy-}${NO_PROXY-}," in *amazonaws.com*) pl_proxy="" ;; esac
if [ -n "$pl_proxy" ]; then
  pl_requests=$("$PYTHON_CMD" -c 'import requests; print(requests.__version__)' 2>/dev/null | head -n 1)
  if [ -n "$pl_requests" ] && pl_vlt "$pl_requests" 2.18.4; then
    pl_log ERROR "Get Snapshot failed"
    pl_log ERROR "requests $pl_requests cannot reach ssm.$pl_region.amazonaws.com through the proxy: ProxyError('Cannot connect to proxy.')"
    rm -rf "$pl_tmp_dir"
    exit 143
  fi
fi

# The package manager's part of the payload runs in its own process with
# the same interpreter; it starts by importing the package manager's
# module (zypper is driven through its command line).
case $pl_pm in
  apt | yum | dnf)
    if ! pl_err=$("$PYTHON_CMD" -c "import $pl_pm" 2>&1); then
      printf 'Traceback (most recent call last):\n  File "%s_entrance.py", line 1, in <module>\n%s\n' "$pl_pm" "$pl_err" >&2
      rm -rf "$pl_tmp_dir"
      exit 1
    fi ;;
esac

# It loads the repositories' metadata, taking the package manager's lock
# (apt refreshes its lists the way python-apt's Cache.update does: a list
# it cannot fetch fails it).
case $pl_pm in
  apt) pl_out=$(apt-get update 2>&1) ;;
  yum) pl_out=$(yum makecache 2>&1) ;;
  dnf) pl_out=$(dnf makecache 2>&1) ;;
  *) pl_out=$(zypper refresh 2>&1) ;;
esac
pl_rc=$?
if [ "$pl_pm" = apt ] && [ "$pl_rc" -eq 0 ]; then
  case $pl_out in *"Failed to fetch"*) pl_rc=100 ;; esac
fi
if [ "$pl_pm" = yum ] && [ "$pl_rc" -eq 200 ]; then
  # The payload retries the yum lock 99 times, backing off from 1 s by a
  # factor of 1.2 to at most 5 s, then gives up.
  pl_delay=1000
  pl_try=1
  while [ "$pl_try" -le 99 ]; do
    pl_log INFO "another process has acquired yum lock, waiting $((pl_delay / 1000)) s and retry."
    pl_delay=$((pl_delay * 12 / 10))
    [ "$pl_delay" -le 5000 ] || pl_delay=5000
    pl_try=$((pl_try + 1))
  done
fi
if [ "$pl_rc" -ne 0 ]; then
  printf '%s\n' "$pl_out" | while IFS= read -r pl_line; do
    [ -z "$pl_line" ] || pl_log ERROR "$pl_line"
  done
  rm -rf "$pl_tmp_dir"
  exit 1
fi

# What the scan finds is the node model's figure. A dnf that skipped
# repositories it could not reach knows of no update in them.
pl_counts=$(head -n 1 </var/lib/hostmodel/patches)
case $pl_out in
  *"Ignoring repositories"*)
    pl_log WARNING "$(printf '%s\n' "$pl_out" | grep 'Ignoring repositories' | head -n 1)"
    pl_counts=$(printf '%s\n' "$pl_counts" | sed -e 's/Missing=[0-9]*/Missing=0/' -e 's/NotApplicable=[0-9]*/NotApplicable=0/' \
      -e 's/CriticalNonCompliant=[0-9]*/CriticalNonCompliant=0/' -e 's/SecurityNonCompliant=[0-9]*/SecurityNonCompliant=0/' \
      -e 's/OtherNonCompliant=[0-9]*/OtherNonCompliant=0/') ;;
esac
pl_log INFO "Patch compliance summary: $pl_counts"
rm -rf "$pl_tmp_dir"
exit 0
