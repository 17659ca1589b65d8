# A simulated curl: reaches the patch payload buckets as the node's network
# allows, with curl's exit codes (6 DNS, 7 refused, 28 timeout, 56 the proxy
# refused, 22 an HTTP error with -f). Other hosts do not resolve.
set -u
. /var/lib/hostmodel/lib/common.sh
silent=false; show=false; head=false; fail=false; out=""; fmt=""; url=""
while [ $# -gt 0 ]; do
  case $1 in
    -sS | -Ss) silent=true; show=true ;;
    -s | --silent) silent=true ;;
    -S | --show-error) show=true ;;
    -I | --head) head=true ;;
    -f | --fail) fail=true ;;
    -L | --location) ;;
    -o | --output) out=$2; shift ;;
    -w | --write-out) fmt=$2; shift ;;
    --connect-timeout | --max-time | -m) shift ;;
    -*) echo "curl: option $1: is unknown" >&2; exit 2 ;;
    *) url=$1 ;;
  esac
  shift
done
say() { if [ "$silent" = false ] || [ "$show" = true ]; then echo "curl: $1" >&2; fi; }
finish() { # code rc
  case $fmt in *'%{http_code}'*) printf '%s' "$1" ;; esac
  exit "$2"
}
host=$(payload_host "$url") || { say "(6) Could not resolve host"; finish 000 6; }
net_check payload "$host" https
case $net_err in
  dns) say "(6) Could not resolve host: $host"; finish 000 6 ;;
  refused) say "(7) Failed to connect to $host port 443: Connection refused"; finish 000 7 ;;
  timeout) say "(28) Connection timed out after 5000 milliseconds"; finish 000 28 ;;
  badproxy) say "(7) Failed to connect to proxy $net_proxy: Connection refused"; finish 000 7 ;;
  denied) say "(56) CONNECT tunnel failed, response 403"; finish 000 56 ;;
esac
# Reached. The prefix itself answers 403 (no listing); a payload file 200.
code=200
case $url in */payloads/) code=403 ;; esac
if [ -n "$out" ] && [ "$out" != /dev/null ]; then
  if [ "$head" = true ]; then printf 'HTTP/1.1 %s\r\n\r\n' "$code" >"$out"; else printf 'payload\n' >"$out"; fi
elif [ -z "$out" ] && [ "$head" = true ]; then
  printf 'HTTP/1.1 %s\r\n\r\n' "$code"
fi
if [ "$fail" = true ] && [ "$code" -ge 400 ]; then
  say "(22) The requested URL returned error: $code"
  finish "$code" 22
fi
finish "$code" 0
