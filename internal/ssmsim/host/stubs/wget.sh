# A simulated wget: like the curl stub, with wget's exit codes (4 network
# failure, 8 an HTTP error answer). -S prints the status line on stderr.
set -u
. /var/lib/hostmodel/lib/common.sh
spider=false; server=false; out=""; url=""
while [ $# -gt 0 ]; do
  case $1 in
    --spider) spider=true ;;
    -S | --server-response) server=true ;;
    -q | --quiet) ;;
    --connect-timeout=* | --timeout=* | --tries=*) ;;
    -T | -t) shift ;;
    -O) out=$2; shift ;;
    -*) echo "wget: unrecognized option '$1'" >&2; exit 2 ;;
    *) url=$1 ;;
  esac
  shift
done
host=$(payload_host "$url") || { echo "wget: unable to resolve host address" >&2; exit 4; }
net_check payload "$host" https
case $net_err in
  dns) echo "wget: unable to resolve host address '$host'" >&2; exit 4 ;;
  refused) echo "failed: Connection refused." >&2; exit 4 ;;
  timeout) echo "failed: Connection timed out." >&2; exit 4 ;;
  badproxy) echo "failed: Connection refused." >&2; exit 4 ;;
  denied) echo "Proxy tunneling failed: Forbidden" >&2; exit 8 ;;
esac
code=200
case $url in */payloads/) code=403 ;; esac
[ "$server" = false ] || echo "  HTTP/1.1 $code" >&2
if [ "$code" -ge 400 ]; then
  echo "Remote file does not exist -- broken link!!!" >&2
  exit 8
fi
if [ "$spider" = false ] && [ -n "$out" ]; then printf 'payload\n' >"$out"; fi
exit 0
