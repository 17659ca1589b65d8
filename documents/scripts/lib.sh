# lib.sh: the functions the probe and fix documents share. POSIX sh.
#
# It defines functions only; it runs nothing. The generator concatenates it
# into both documents, and tests source it on its own (for payload_url).
# Functions have no local variables in POSIX sh, so every variable a
# function sets starts with a prefix naming the function's group.
#
# Text tools (sed, tr, head, tail) only ever read standard input here,
# never a file named on their command line: the simulator runs them that
# way.

pr_prefix=patchbaselineoperations/linux/payloads/

# payload_url REGION prints the URL of the payload prefix that
# AWS-RunPatchBaseline's Linux script downloads from in REGION, built the
# way that script builds it. It fails for an empty or malformed region.
payload_url() {
  pu_r=$1
  case $pu_r in
    '' | *[!a-z0-9-]* | -* | *-) return 1 ;;
  esac
  case $pu_r in
    cn-*)
      printf 'https://s3.%s.amazonaws.com.cn/aws-ssm-%s/%s\n' "$pu_r" "$pu_r" "$pr_prefix"
      return 0 ;;
    us-gov-*)
      printf 'https://s3-fips-%s.amazonaws.com/aws-ssm-%s/%s\n' "$pu_r" "$pu_r" "$pr_prefix"
      return 0 ;;
  esac
  case $pu_r in
    me-south-1) pu_b=aws-patch-manager-me-south-1-a53fc9dce ;;
    af-south-1) pu_b=aws-patch-manager-af-south-1-bdd5f65a9 ;;
    eu-south-1) pu_b=aws-patch-manager-eu-south-1-c52f3f594 ;;
    ap-northeast-3) pu_b=aws-patch-manager-ap-northeast-3-67373598a ;;
    ap-east-1 | ca-central-1 | ap-southeast-2 | ap-southeast-1 | us-west-1 | \
      us-west-2 | ap-northeast-1 | eu-west-2 | ap-northeast-2 | us-east-1 | \
      sa-east-1 | eu-central-1 | eu-west-1 | us-east-2 | eu-west-3 | \
      ap-south-1 | eu-north-1)
      pu_b=aws-ssm-$pu_r ;;
    *)
      # Regions launched after the list above use an accelerated bucket.
      printf 'https://aws-patch-manager-%s.s3-accelerate.dualstack.amazonaws.com/%s\n' "$pu_r" "$pr_prefix"
      return 0 ;;
  esac
  printf 'https://s3.dualstack.%s.amazonaws.com/%s/%s\n' "$pu_r" "$pu_b" "$pr_prefix"
}

# pr_clean TEXT prints TEXT with every character outside a JSON-safe set
# removed, so that a value can go between double quotes as it is.
pr_clean() {
  printf '%s' "$1" | tr -cd 'A-Za-z0-9 ._:/,+-'
}

# pr_vlt A B succeeds when dotted version A is lower than B. Parts that are
# not plain numbers count as 0.
pr_vlt() {
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

# pr_env_value TEXT KEY prints the last value TEXT gives KEY, in any of the
# forms the agent's environment is written in: KEY=V (a process
# environment, one per line), env KEY=V (upstart) and Environment="KEY=V"
# (systemd, several assignments to a line). Comment lines are skipped.
pr_env_value() {
  printf '%s\n' "$1" | sed -e '/^[[:space:]]*[#;]/d' | tr " \t\"'" '\n\n\n\n' |
    sed -n -e 's/^Environment=//' -e "s/^$2=//p" | tail -n 1
}

# pr_proxy_of TEXT sets po_https, po_http and po_no to the proxy settings
# TEXT gives. Lower case names win, as curl reads them first.
pr_proxy_of() {
  po_https=$(pr_env_value "$1" https_proxy)
  [ -n "$po_https" ] || po_https=$(pr_env_value "$1" HTTPS_PROXY)
  po_http=$(pr_env_value "$1" http_proxy)
  [ -n "$po_http" ] || po_http=$(pr_env_value "$1" HTTP_PROXY)
  po_no=$(pr_env_value "$1" no_proxy)
  [ -n "$po_no" ] || po_no=$(pr_env_value "$1" NO_PROXY)
}

# pr_detect_proxy finds the two proxies that decide how the patch run
# reaches AWS. It sets:
#   pr_https, pr_http, pr_no, pr_source: the running agent's proxy, from
#     this script's own environment. The agent runs this script as it runs
#     AWS-RunPatchBaseline, as its child with its own environment, so this
#     is the patch run's proxy now. pr_source is process when there is one.
#   pr_o_https, pr_o_http, pr_o_no, pr_o_source: the proxy the service's
#     override sets (the systemd drop-ins, snap included, then the upstart
#     override; pr_o_source names which), which the agent reads only when
#     it starts.
#   pr_pending: true when the override sets a proxy that differs from the
#     running agent's: the patch run goes the override's way only once the
#     agent restarts (an agent update, a reboot).
# The values can carry credentials: never print them. Nothing is exported,
# so that what runs next goes the way the patch run goes now.
pr_detect_proxy() {
  pr_https=${https_proxy-}
  [ -n "$pr_https" ] || pr_https=${HTTPS_PROXY-}
  pr_http=${http_proxy-}
  [ -n "$pr_http" ] || pr_http=${HTTP_PROXY-}
  pr_no=${no_proxy-}
  [ -n "$pr_no" ] || pr_no=${NO_PROXY-}
  pr_source=""
  [ -z "$pr_https$pr_http" ] || pr_source=process
  pr_o_https=""
  pr_o_http=""
  pr_o_no=""
  pr_o_source=""
  pd_text=""
  for pd_f in /etc/systemd/system/amazon-ssm-agent.service.d/*.conf \
    /etc/systemd/system/amazon-ssm-agent.service.d/amazon-ssm-agent.override \
    /etc/systemd/system/snap.amazon-ssm-agent.amazon-ssm-agent.service.d/*.conf; do
    if [ -f "$pd_f" ] && [ -r "$pd_f" ]; then
      pd_text="$pd_text
$(cat "$pd_f")"
    fi
  done
  po_https=""
  po_http=""
  [ -z "$pd_text" ] || pr_proxy_of "$pd_text"
  pd_src=systemd-override
  if [ -z "$po_https$po_http" ] && [ -r /etc/init/amazon-ssm-agent.override ]; then
    pr_proxy_of "$(cat /etc/init/amazon-ssm-agent.override)"
    pd_src=upstart-override
  fi
  if [ -n "$po_https$po_http" ]; then
    pr_o_https=$po_https
    pr_o_http=$po_http
    pr_o_no=$po_no
    pr_o_source=$pd_src
  fi
  pd_text=""
  po_https=""
  po_http=""
  po_no=""
  pr_pending=false
  if [ -n "$pr_o_source" ]; then
    if [ "$pr_o_https" != "$pr_https" ] || [ "$pr_o_http" != "$pr_http" ] || [ "$pr_o_no" != "$pr_no" ]; then
      pr_pending=true
    fi
  fi
}

# pr_scheme_of HTTPS_PROXY HTTP_PROXY prints the scheme of the proxy given
# first (https, http, or another scheme name such as socks5h), http when
# its URL has none, and nothing when both are empty.
pr_scheme_of() {
  ps_u=$1
  [ -n "$ps_u" ] || ps_u=$2
  [ -n "$ps_u" ] || return 0
  case $ps_u in
    *://*) pr_clean "${ps_u%%://*}" | tr '[:upper:]' '[:lower:]' | tr -cd 'a-z0-9' ;;
    *) printf 'http' ;;
  esac
}

# pr_has NAME is how AWS-RunPatchBaseline decides whether a command is
# there: with `which`. Without `which`, nothing is there.
pr_has() {
  which "$1" >/dev/null 2>&1
}

# pr_select_python chooses the interpreter AWS-RunPatchBaseline's Linux
# script would choose, by its rules and in its order, and sets:
#   pr_pms     package managers found: apt,yum,dnf,zypper
#   pr_pm      the branch that matched (apt, dnf, yum, zypper) or ""
#   pr_py      the command the run would use, or ""
#   pr_py_err  the run's error when none qualifies
pr_select_python() {
  ps_3=""; ps_2_6=""; ps_26=""; ps_2_7=""; ps_27=""; ps_2=""
  pr_has python3 && ps_3=python3
  pr_has python2.6 && ps_2_6=python2.6
  pr_has python26 && ps_26=python26
  pr_has python2.7 && ps_2_7=python2.7
  pr_has python27 && ps_27=python27
  pr_has python2 && ps_2=python2
  if pr_has python; then
    # The run counts `python` by the major digit of its version, and it
    # replaces a python2 or python3 found before.
    ps_major=$(python --version 2>&1 | sed -n 's/^Python \([0-9]\).*/\1/p' | head -n 1)
    case $ps_major in
      2) ps_2=python ;;
      3) ps_3=python ;;
    esac
  fi
  ps_any2=$ps_2_6$ps_26$ps_2_7$ps_27$ps_2
  ps_apt=""; ps_yum=""; ps_dnf=""; ps_zyp=""
  pr_has apt-get && ps_apt=apt
  pr_has yum && ps_yum=yum
  pr_has dnf && ps_dnf=dnf
  pr_has zypper && ps_zyp=zypper
  pr_pms=""
  for ps_m in $ps_apt $ps_yum $ps_dnf $ps_zyp; do
    pr_pms=${pr_pms:+$pr_pms,}$ps_m
  done
  pr_pm=""
  pr_py=""
  pr_py_err=""
  if [ -n "$ps_apt" ] && [ -n "$ps_3" ]; then
    pr_pm=apt
    pr_py=$ps_3
  elif [ -n "$ps_dnf" ] && [ -n "$ps_2$ps_3" ]; then
    pr_pm=dnf
    pr_py=${ps_2:-$ps_3}
  elif [ -n "$ps_yum" ] && [ -n "$ps_any2" ]; then
    pr_pm=yum
    for ps_c in "$ps_2_7" "$ps_27" "$ps_2" "$ps_2_6" "$ps_26"; do
      [ -n "$ps_c" ] || continue
      if "$ps_c" -c "import yum" >/dev/null 2>&1; then
        pr_py=$ps_c
        break
      fi
    done
    [ -n "$pr_py" ] ||
      pr_py_err="Unable to import yum module, please check version compatibility between Yum and Python"
  elif [ -n "$ps_zyp" ] && [ -n "$ps_3" ]; then
    pr_pm=zypper
    pr_py=$ps_3
  elif [ -n "$ps_zyp" ] && [ -n "$ps_2" ]; then
    pr_pm=zypper
    pr_py=$ps_2
  else
    pr_py_err="An unsupported package manager and python version combination was found."
    if [ -n "$ps_dnf" ]; then
      pr_py_err="$pr_py_err Dnf requires Python2 or Python3 to be installed."
    elif [ -n "$ps_yum" ]; then
      pr_py_err="$pr_py_err Yum requires Python2 to be installed."
    elif [ -n "$ps_apt" ]; then
      pr_py_err="$pr_py_err Apt requires Python3 to be installed."
    elif [ -n "$ps_zyp" ]; then
      pr_py_err="$pr_py_err ZYpp requires Python2 or Python3 to be installed."
    fi
  fi
}

# pr_py_module prints ok when the chosen interpreter imports its package
# manager's module, missing when it cannot, na for zypper (the run drives
# zypper through its command line) or without an interpreter.
pr_py_module() {
  [ -n "$pr_py" ] || { printf 'na'; return 0; }
  case $pr_pm in
    apt) pm_mod=apt ;;
    dnf) pm_mod=dnf ;;
    yum) pm_mod=yum ;;
    *) printf 'na'; return 0 ;;
  esac
  if "$pr_py" -c "import $pm_mod" >/dev/null 2>&1; then printf 'ok'; else printf 'missing'; fi
}

# pr_requests_version prints the version of requests the chosen interpreter
# imports, nothing when it cannot. The snippets stay valid Python 2.6.
pr_requests_version() {
  [ -n "$pr_py" ] || return 0
  "$pr_py" -c 'import requests; print(requests.__version__)' 2>/dev/null | head -n 1 |
    tr -cd '0-9A-Za-z.+-'
}

# pr_python_version prints the chosen interpreter's version (2.7.18).
pr_python_version() {
  [ -n "$pr_py" ] || return 0
  "$pr_py" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])' 2>/dev/null | head -n 1 |
    tr -cd '0-9.'
}

# pr_pip prints ok when the chosen interpreter runs pip as a module.
pr_pip() {
  if [ -n "$pr_py" ] && "$pr_py" -m pip --version >/dev/null 2>&1; then
    printf 'ok'
  else
    printf 'missing'
  fi
}
