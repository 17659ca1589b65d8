# A simulated pgrep for `pgrep [-o] -x NAME`: reads /proc/PID/comm.
set -u
oldest=false
name=""
for a in "$@"; do
  case $a in
    -o) oldest=true ;;
    -x) ;;
    -ox | -xo) oldest=true ;;
    -*) echo "pgrep: simulated for -o and -x only" >&2; exit 2 ;;
    *) name=$a ;;
  esac
done
pids=""
for d in /proc/[0-9]*; do
  [ -r "$d/comm" ] || continue
  if [ "$(head -n 1 <"$d/comm")" = "$name" ]; then pids="$pids ${d#/proc/}"; fi
done
[ -n "$pids" ] || exit 1
if [ "$oldest" = true ]; then
  min=""
  for p in $pids; do
    if [ -z "$min" ] || [ "$p" -lt "$min" ]; then min=$p; fi
  done
  echo "$min"
else
  for p in $pids; do echo "$p"; done
fi
