# Sourced by benches/peers.sh and benches/locate_peers.sh: the peers' locked Python
# environment (../shared/peers, copied into $WORK and set up once) and a release build of
# pave. Sets root, work, pave and py.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
shared="$root/../shared/peers"
work=${WORK:-$root/target/peers}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target}
mkdir -p "$work"
if [ ! -x "$work/.venv/bin/python" ]; then
  cp -r "$shared/." "$work/"
  chmod -R u+w "$work"
  (cd "$work" && bash setup.sh)
fi
(cd "$root" && cargo build --release --quiet)
pave="$CARGO_TARGET_DIR/release/pave"
py="$work/.venv/bin/python"
