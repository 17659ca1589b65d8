# fix.sh: the fix document's main part. It runs the steps asked for, in the
# order python, curl, requests, prints one line of JSON (documents.FixReport),
# then the probe's report of the node as it is now, as the last line. It
# exits 1 when a step failed.
set -u
umask 077

# The document substitutes both parameters; their allowedPatterns admit
# only letters, commas, digits and dots. Checked again here, as this script
# runs as root.
fx_actions='{{ actions }}'
fx_min='{{ minRequests }}'
case $fx_actions in '' | *[!a-z,]*) fx_actions=invalid ;; esac
case $fx_min in '' | *[!0-9.]*) fx_min=invalid ;; esac

# Everything the steps run writes its output into this private directory,
# removed on exit: nothing predictable in /tmp, nothing printed (package
# managers and pip can print the proxy they use).
fx_tmp=$(mktemp -d 2>/dev/null) || fx_tmp=""
trap 'if [ -n "$fx_tmp" ]; then rm -rf "$fx_tmp"; fi' EXIT
trap 'exit 1' HUP INT TERM
fx_log=/dev/null
[ -z "$fx_tmp" ] || fx_log=$fx_tmp/steps.log

fx_steps=""
fx_failed=0

# fx_step NAME OK DETAIL records how a step ended.
fx_step() {
  [ "$2" = true ] || fx_failed=1
  fx_steps="$fx_steps${fx_steps:+,}{\"name\":\"$1\",\"ok\":$2,\"detail\":\"$(pr_clean "$3")\"}"
}

# fx_pm sets fx_pm to the package manager that installs here. It looks
# with command -v, not which: installing `which` is one of the fixes.
fx_find_pm() {
  fx_pm=""
  for fp_c in apt-get dnf yum zypper; do
    if command -v "$fp_c" >/dev/null 2>&1; then fx_pm=$fp_c; return 0; fi
  done
}

# fx_install PACKAGE... installs packages with the package manager found,
# non-interactively. apt-get retries once after refreshing its lists, which
# are often stale on an image.
fx_install() {
  case $fx_pm in
    apt-get)
      DEBIAN_FRONTEND=noninteractive apt-get install -y "$@" >>"$fx_log" 2>&1 && return 0
      apt-get update >>"$fx_log" 2>&1 || return 1
      DEBIAN_FRONTEND=noninteractive apt-get install -y "$@" >>"$fx_log" 2>&1 ;;
    dnf) dnf install -y "$@" >>"$fx_log" 2>&1 ;;
    yum) yum install -y "$@" >>"$fx_log" 2>&1 ;;
    zypper) zypper --non-interactive install "$@" >>"$fx_log" 2>&1 ;;
    *) return 1 ;;
  esac
}

# fx_major prints the major version of the chosen interpreter.
fx_major() {
  fm_v=$(pr_python_version)
  printf '%s' "${fm_v%%.*}"
}

# fx_python makes the patch run find an interpreter that imports its
# package manager's module.
fx_python() {
  fx_done=""
  if ! command -v which >/dev/null 2>&1; then
    fy_pkg=which
    [ "$fx_pm" != apt-get ] || fy_pkg=debianutils
    if ! fx_install "$fy_pkg"; then
      fx_step python false "which is missing and $fx_pm could not install $fy_pkg"
      return 0
    fi
    fx_done="installed $fy_pkg with $fx_pm"
  fi
  pr_select_python
  fy_mod=$(pr_py_module)
  if [ -n "$pr_py" ] && [ "$fy_mod" != missing ]; then
    fx_step python true "${fx_done:-$pr_py already usable by the patch run}"
    return 0
  fi
  fy_pkgs=""
  case $fx_pm in
    apt-get) fy_pkgs="python3 python3-apt" ;;
    dnf)
      if [ -z "$pr_py" ]; then
        fy_pkgs=python3
      elif [ "$(fx_major)" = 2 ]; then
        fy_pkgs=python2-dnf
      else
        fy_pkgs=python3-dnf
      fi ;;
    zypper) fy_pkgs=python3 ;;
    yum)
      # Yum runs on the Python 2 it was built for; installing another one
      # would not give it a yum module. Not safely fixable from here.
      fx_step python false "${pr_py_err:-the python of the patch run cannot import yum}"
      return 0 ;;
    *)
      fx_step python false "no supported package manager found"
      return 0 ;;
  esac
  # shellcheck disable=SC2086 # fy_pkgs is a list of package names
  if ! fx_install $fy_pkgs; then
    fx_step python false "$fx_pm could not install $fy_pkgs"
    return 0
  fi
  pr_select_python
  fy_mod=$(pr_py_module)
  if [ -n "$pr_py" ] && [ "$fy_mod" != missing ]; then
    fx_step python true "${fx_done:+$fx_done, }installed $fy_pkgs with $fx_pm"
  else
    fx_step python false "installed $fy_pkgs with $fx_pm but the patch run still finds no usable python"
  fi
}

# fx_curl installs curl when the node has no downloader the run uses.
fx_curl() {
  if command -v curl >/dev/null 2>&1; then
    fx_step curl true "curl already installed"
  elif ! fx_install curl; then
    fx_step curl false "$fx_pm could not install curl"
  elif command -v curl >/dev/null 2>&1; then
    fx_step curl true "installed curl with $fx_pm"
  else
    fx_step curl false "installed curl with $fx_pm but curl is still missing"
  fi
}

# fx_pm_works checks the package manager still runs after pip changed the
# interpreter it runs on.
fx_pm_works() {
  case $pr_pm in
    yum) "$pr_py" -c 'import yum' >/dev/null 2>&1 && yum --version >/dev/null 2>&1 ;;
    dnf) dnf --version >/dev/null 2>&1 ;;
    apt) apt-get --version >/dev/null 2>&1 ;;
    zypper) zypper --version >/dev/null 2>&1 ;;
    *) return 0 ;;
  esac
}

# fx_requests raises requests to at least fx_min for the interpreter the
# patch run uses, with that interpreter's own pip.
fx_requests() {
  if [ "$fx_min" = invalid ]; then
    fx_step requests false "minRequests is not a version"
    return 0
  fi
  pr_select_python
  if [ -z "$pr_py" ]; then
    fx_step requests false "${pr_py_err:-the patch run finds no python}"
    return 0
  fi
  fq_path=$(command -v "$pr_py" 2>/dev/null)
  fq_before=$(pr_requests_version)
  if [ -n "$fq_before" ] && ! pr_vlt "$fq_before" "$fx_min"; then
    fx_step requests true "requests $fq_before already at least $fx_min for $fq_path"
    return 0
  fi
  fq_pip=""
  if ! "$pr_py" -m pip --version >/dev/null 2>&1; then
    if [ "$(fx_major)" = 2 ]; then fq_try="python27-pip python2-pip python-pip"; else fq_try=python3-pip; fi
    for fq_p in $fq_try; do
      if fx_install "$fq_p" && "$pr_py" -m pip --version >/dev/null 2>&1; then
        fq_pip="installed $fq_p, "
        break
      fi
    done
    if [ -z "$fq_pip" ]; then
      fx_step requests false "pip is missing for $fq_path and $fx_pm could not install $fq_try"
      return 0
    fi
  fi
  fq_pm_before=false
  fx_pm_works && fq_pm_before=true
  # --upgrade-strategy keeps pip from upgrading what requests does not
  # need (urllib3 upgrades are what break yum); pip before 8 lacks the
  # option and exits 2, and is then run without it.
  "$pr_py" -m pip install --upgrade --upgrade-strategy only-if-needed "requests>=$fx_min" >>"$fx_log" 2>&1
  fq_rc=$?
  if [ "$fq_rc" -eq 2 ]; then
    "$pr_py" -m pip install --upgrade "requests>=$fx_min" >>"$fx_log" 2>&1
    fq_rc=$?
  fi
  fq_after=$(pr_requests_version)
  if [ "$fq_rc" -ne 0 ]; then
    fx_step requests false "${fq_pip}pip install exited $fq_rc, requests ${fq_after:-missing} for $fq_path"
  elif [ "$fq_pm_before" = true ] && ! fx_pm_works; then
    fx_step requests false "${fq_pip}requests ${fq_before:-missing} to $fq_after with $fq_path -m pip, but $pr_pm no longer works"
  elif [ -z "$fq_after" ] || pr_vlt "$fq_after" "$fx_min"; then
    fx_step requests false "${fq_pip}pip ran but requests is ${fq_after:-missing} for $fq_path"
  else
    fx_step requests true "${fq_pip}requests ${fq_before:-missing} to $fq_after with $fq_path -m pip"
  fi
}

# fx_use_proxy makes the steps' downloads (package managers, pip) go
# through the running agent's proxy, or, when it has none, through the one
# its service's override sets, which the agent takes at its next restart:
# where a node reaches its repositories only through a proxy, that is the
# proxy its owner configured. The environment the fix started with is
# kept in fx_env_* and restored before the read-back, which describes the
# node as the patch run finds it now.
fx_use_proxy() {
  fx_env_https=${https_proxy-}
  fx_env_http=${http_proxy-}
  fx_env_no=${no_proxy-}
  pr_detect_proxy
  [ -z "$pr_source" ] || return 0
  [ -n "$pr_o_source" ] || return 0
  if [ -n "$pr_o_https" ]; then https_proxy=$pr_o_https; export https_proxy; fi
  if [ -n "$pr_o_http" ]; then http_proxy=$pr_o_http; export http_proxy; fi
  if [ -n "$pr_o_no" ]; then no_proxy=$pr_o_no; export no_proxy; fi
}

fx_restore_proxy() {
  https_proxy=$fx_env_https
  http_proxy=$fx_env_http
  no_proxy=$fx_env_no
}

fx_use_proxy
fx_find_pm
# An invalid actions value (possible only when the document's check was
# bypassed) runs no step and fails.
[ "$fx_actions" != invalid ] || fx_failed=1
case ",$fx_actions," in *,python,*) fx_python ;; esac
case ",$fx_actions," in *,curl,*) fx_curl ;; esac
case ",$fx_actions," in *,requests,*) fx_requests ;; esac
printf '{"schema":1,"kind":"fix","steps":[%s]}\n' "$fx_steps"
fx_restore_proxy
pr_report
exit "$fx_failed"
