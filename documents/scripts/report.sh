# report.sh: the probe's report (documents.ProbeReport, schema 3). POSIX sh.
# Defines functions only; needs lib.sh. Read-only: it changes nothing on
# the node and writes no file.

# pr_payload_check asks the patch run's payload prefix for an answer with
# the downloader the run would use, in this shell's environment: the
# running agent's, which the patch run has too. It sets pr_dl (curl, wget
# or ""), pr_payload (reachable, unreachable, untested) and
# pr_payload_code: an HTTP status, or the tool and its exit code. Nothing
# the tools print is kept: it can name the proxy.
pr_payload_check() {
  pr_dl=""
  pr_payload=untested
  pr_payload_code=""
  if pr_has curl; then pr_dl=curl; elif pr_has wget; then pr_dl=wget; fi
  [ -n "$pr_dl" ] || return 0
  pc_url=$(payload_url "${AWS_SSM_REGION_NAME-}") || return 0
  if [ "$pr_dl" = curl ]; then
    pc_code=$(curl -sS -I -o /dev/null -w '%{http_code}' --connect-timeout 5 --max-time 10 "$pc_url" 2>/dev/null)
    pc_rc=$?
    pc_code=$(printf '%s' "$pc_code" | tr -cd '0-9' | head -c 3)
    if [ "$pc_rc" -eq 0 ] && [ -n "$pc_code" ] && [ "$pc_code" != 000 ]; then
      pr_payload=reachable
      pr_payload_code=$pc_code
    else
      pr_payload=unreachable
      pr_payload_code=curl:$pc_rc
    fi
  else
    # wget answers a 403 with exit 8; the status line printed by -S is
    # what says the bucket answered.
    pc_out=$(wget --spider -S --connect-timeout=5 -T 10 -t 1 "$pc_url" 2>&1 >/dev/null)
    pc_rc=$?
    pc_code=$(printf '%s\n' "$pc_out" | sed -n 's/^[[:space:]]*HTTP\/[0-9.]*[[:space:]]\{1,\}\([0-9][0-9][0-9]\).*/\1/p' | tail -n 1)
    pc_out=""
    if [ -n "$pc_code" ]; then
      pr_payload=reachable
      pr_payload_code=$pc_code
    else
      pr_payload=unreachable
      pr_payload_code=wget:$pc_rc
    fi
  fi
  pc_url=""
}

# pr_payload_after_restart makes the same test in a subshell whose
# environment holds the override's proxy instead of the running agent's
# (from pr_detect_proxy): the way the patch run goes once the agent
# restarts and reads its override. It sets pr_after and pr_after_code as
# pr_payload_check sets pr_payload and pr_payload_code.
pr_payload_after_restart() {
  pa_r=$(
    unset https_proxy http_proxy no_proxy HTTPS_PROXY HTTP_PROXY NO_PROXY
    if [ -n "$pr_o_https" ]; then https_proxy=$pr_o_https; export https_proxy; fi
    if [ -n "$pr_o_http" ]; then http_proxy=$pr_o_http; export http_proxy; fi
    if [ -n "$pr_o_no" ]; then no_proxy=$pr_o_no; export no_proxy; fi
    pr_payload_check
    printf '%s %s' "$pr_payload" "$pr_payload_code"
  )
  pr_after=${pa_r%% *}
  pr_after_code=${pa_r#* }
  case $pr_after in
    reachable | unreachable | untested) ;;
    *) pr_after=untested; pr_after_code="" ;;
  esac
  pa_r=""
}

# pr_workdir_noexec prints true when the agent's work directory, or its
# nearest existing parent, lies on a filesystem mounted noexec: the
# longest mount point that contains it decides.
pr_workdir_noexec() {
  pw_p=/var/lib/amazon/ssm
  while [ ! -e "$pw_p" ]; do
    pw_p=${pw_p%/*}
    [ -n "$pw_p" ] || { pw_p=/; break; }
  done
  [ -r /proc/mounts ] || { printf 'false'; return 0; }
  pw_best=-1
  pw_opts=""
  # Fields: device, mount point, type, options. A later mount over the
  # same point hides the earlier one, hence -ge.
  while read -r pw_dev pw_mnt pw_type pw_o pw_rest; do
    case $pw_mnt in
      /) ;;
      *) case $pw_p in "$pw_mnt" | "$pw_mnt"/*) ;; *) continue ;; esac ;;
    esac
    if [ "${#pw_mnt}" -ge "$pw_best" ]; then
      pw_best=${#pw_mnt}
      pw_opts=$pw_o
    fi
  done </proc/mounts
  case ",$pw_opts," in
    *,noexec,*) printf 'true' ;;
    *) printf 'false' ;;
  esac
}

# pr_var_free_mb prints the free space in /var in MiB, -1 when unknown.
pr_var_free_mb() {
  # The fourth field of df's POSIX line is the space available.
  pv_kb=$(df -Pk /var 2>/dev/null | tail -n 1 | {
    read -r pv_fs pv_size pv_used pv_avail pv_rest
    printf '%s' "${pv_avail-}"
  })
  case $pv_kb in
    '' | *[!0-9]*) printf '%s' -1 ;;
    *) printf '%s' "$((pv_kb / 1024))" ;;
  esac
}

# pr_report detects everything afresh and prints the report, one line of
# JSON. Every string value is cleaned to a JSON-safe set of characters.
# The payload is tested the way the patch run goes now and, when an
# override sets another proxy, the way it will go once the agent restarts.
pr_report() {
  pr_detect_proxy
  pr_select_python
  pr_after=""
  pr_after_code=""
  if [ "$pr_pending" = true ]; then
    pr_payload_after_restart
  fi
  pr_payload_check
  pp_proxied=false
  [ -z "$pr_source" ] || pp_proxied=true
  pp_imds=false
  case ",$pr_no," in *169.254.169.254*) pp_imds=true ;; esac
  pp_o_src=""
  pp_o_scheme=""
  pp_o_imds=false
  if [ "$pr_pending" = true ]; then
    pp_o_src=$pr_o_source
    pp_o_scheme=$(pr_scheme_of "$pr_o_https" "$pr_o_http")
    case ",$pr_o_no," in *169.254.169.254*) pp_o_imds=true ;; esac
  fi
  pp_which=false
  command -v which >/dev/null 2>&1 && pp_which=true
  pp_path=""
  pp_ver=""
  pp_req=""
  if [ -n "$pr_py" ]; then
    pp_path=$(command -v "$pr_py" 2>/dev/null)
    pp_ver=$(pr_python_version)
    pp_req=$(pr_requests_version)
  fi
  printf '{"schema":3,"proxied":%s,"proxy_source":"%s","proxy_scheme":"%s","no_proxy_has_imds":%s,' \
    "$pp_proxied" "$(pr_clean "$pr_source")" "$(pr_scheme_of "$pr_https" "$pr_http")" "$pp_imds"
  printf '"proxy_pending":%s,"pending_proxy_source":"%s","pending_proxy_scheme":"%s","pending_no_proxy_has_imds":%s,' \
    "$pr_pending" "$(pr_clean "$pp_o_src")" "$pp_o_scheme" "$pp_o_imds"
  printf '"which":%s,"package_managers":"%s","package_manager":"%s","python":"%s","python_path":"%s",' \
    "$pp_which" "$(pr_clean "$pr_pms")" "$(pr_clean "$pr_pm")" "$(pr_clean "$pr_py")" "$(pr_clean "$pp_path")"
  printf '"python_version":"%s","python_error":"%s","package_module":"%s","requests_version":"%s","pip":"%s",' \
    "$(pr_clean "$pp_ver")" "$(pr_clean "$pr_py_err")" "$(pr_py_module)" "$(pr_clean "$pp_req")" "$(pr_pip)"
  printf '"downloader":"%s","payload":"%s","payload_code":"%s","payload_after_restart":"%s","payload_after_restart_code":"%s",' \
    "$(pr_clean "$pr_dl")" "$pr_payload" "$(pr_clean "$pr_payload_code")" "$pr_after" "$(pr_clean "$pr_after_code")"
  printf '"workdir_noexec":%s,"var_free_mb":%s}\n' "$(pr_workdir_noexec)" "$(pr_var_free_mb)"
}
