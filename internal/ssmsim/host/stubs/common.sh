# common.sh: what the stub commands of a simulated node share: its network
# and version comparison. Sourced by the stubs; POSIX sh.
H=/var/lib/hostmodel

# net_value KEY prints KEY's value from the node's network file.
net_value() {
  sed -n "s/^$1=//p" <"$H/net" | head -n 1
}

# net_noproxy HOST succeeds when no_proxy exempts HOST.
net_noproxy() {
  nn_list=${no_proxy-}
  [ -n "$nn_list" ] || nn_list=${NO_PROXY-}
  [ -n "$nn_list" ] || return 1
  nn_ifs=$IFS
  IFS=,
  set -f
  for nn_e in $nn_list; do
    nn_e=$(printf '%s' "$nn_e" | tr -d ' ')
    nn_e=${nn_e#.}
    [ -n "$nn_e" ] || continue
    if [ "$nn_e" = '*' ]; then IFS=$nn_ifs; set +f; return 0; fi
    case $1 in
      "$nn_e" | *."$nn_e") IFS=$nn_ifs; set +f; return 0 ;;
    esac
  done
  IFS=$nn_ifs
  set +f
  return 1
}

# net_proxy_answers HOSTPORT succeeds when a proxy of the node answers at
# HOSTPORT: the network file has a proxy= line for each.
net_proxy_answers() {
  while IFS= read -r na_l; do
    [ "$na_l" != "proxy=$1" ] || return 0
  done <"$H/net"
  return 1
}

# net_check ROUTE HOST SCHEME decides how a connection to HOST over SCHEME
# (http or https) ends, for a destination whose route (payload, repos,
# pypi) is direct, proxy (only through the node's proxies) or blocked. It
# sets net_err to "" when it gets through, else to dns, refused, timeout
# (no route, as the network file's blocked= says), badproxy (no proxy
# answers at the address given) or denied (the proxy refuses the
# destination); net_via to proxy or direct; net_proxy to the proxy's
# host:port.
net_check() {
  nc_route=$(net_value "$1")
  nc_how=$(net_value blocked)
  [ -n "$nc_how" ] || nc_how=timeout
  if [ "$3" = https ]; then
    nc_p=${https_proxy-}
    [ -n "$nc_p" ] || nc_p=${HTTPS_PROXY-}
  else
    nc_p=${http_proxy-}
  fi
  net_via=direct
  net_proxy=""
  if [ -n "$nc_p" ] && ! net_noproxy "$2"; then
    net_via=proxy
    nc_hp=${nc_p#*://}
    nc_hp=${nc_hp##*@}
    nc_hp=${nc_hp%%/*}
    net_proxy=$nc_hp
    if ! net_proxy_answers "$nc_hp"; then
      net_err=badproxy
    elif [ "$nc_route" = blocked ]; then
      net_err=denied
    else
      net_err=""
    fi
    return 0
  fi
  case $nc_route in
    direct) net_err="" ;;
    *) net_err=$nc_how ;;
  esac
}

# payload_host URL prints the host of URL when URL is a patch payload
# location in a bucket the patch run uses; fails otherwise.
payload_host() {
  case $1 in
    https://*/patchbaselineoperations/linux/payloads/*) ;;
    *) return 1 ;;
  esac
  ph_h=${1#https://}
  ph_h=${ph_h%%/*}
  case $ph_h in
    s3.*.amazonaws.com.cn | s3-fips-*.amazonaws.com | s3.dualstack.*.amazonaws.com | \
      aws-patch-manager-*.s3-accelerate.dualstack.amazonaws.com) ;;
    *) return 1 ;;
  esac
  # A URL built for another region does not resolve from this node's
  # point of view: the test catches a wrong region that way.
  if [ -n "${AWS_SSM_REGION_NAME-}" ]; then
    case $1 in *"$AWS_SSM_REGION_NAME"*) ;; *) return 1 ;; esac
  fi
  printf '%s' "$ph_h"
}

# vlt A B succeeds when dotted version A is lower than B.
vlt() {
  vl_a=$1
  vl_b=$2
  while [ -n "$vl_a$vl_b" ]; do
    vl_x=${vl_a%%.*}
    vl_y=${vl_b%%.*}
    if [ "$vl_x" = "$vl_a" ]; then vl_a=""; else vl_a=${vl_a#*.}; fi
    if [ "$vl_y" = "$vl_b" ]; then vl_b=""; else vl_b=${vl_b#*.}; fi
    case $vl_x in '' | *[!0-9]*) vl_x=0 ;; esac
    case $vl_y in '' | *[!0-9]*) vl_y=0 ;; esac
    if [ "$vl_x" -lt "$vl_y" ]; then return 0; fi
    if [ "$vl_x" -gt "$vl_y" ]; then return 1; fi
  done
  return 1
}
