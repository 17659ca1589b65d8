# A simulated which: the first executable of each name on PATH.
set -u
rc=0
for name in "$@"; do
  found=""
  case $name in
    */*) if [ -f "$name" ] && [ -x "$name" ]; then found=$name; fi ;;
    *)
      ifs=$IFS
      IFS=:
      set -f
      for d in $PATH; do
        [ -n "$d" ] || d=.
        if [ -f "$d/$name" ] && [ -x "$d/$name" ]; then found=$d/$name; break; fi
      done
      IFS=$ifs
      set +f ;;
  esac
  if [ -n "$found" ]; then
    echo "$found"
  else
    echo "/usr/bin/which: no $name in ($PATH)" >&2
    rc=1
  fi
done
exit "$rc"
