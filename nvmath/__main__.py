"""``python -m nvmath``: environment report for bug reports, and cache maintenance.

Usage::

    python -m nvmath              # the environment report
    python -m nvmath cache info   # where the cache is, its size cap, its entries and size per kind
    python -m nvmath cache prune  # evict least recently used entries down to the cap, remove leftovers
    python -m nvmath cache clear  # delete every cache entry

The size cap is ``NVMATH_CACHE_MAX_BYTES`` (default 2 GiB; K, M, G suffixes accepted);
``cache prune --max-bytes 500M`` prunes to another size once.
"""

from __future__ import annotations

import argparse
import platform
import sys


def _gpu_report() -> list[str]:
    from nvmath._gpu import gpu_count, no_gpu_reason

    if gpu_count() == 0:
        return [f"  not visible: {no_gpu_reason()}"]
    from cuda.bindings import driver
    from cuda.core import Device

    _, version = driver.cuDriverGetVersion()
    lines = [f"  driver: CUDA {version // 1000}.{version % 1000 // 10}"]
    for index in range(gpu_count()):
        device = Device(index)
        cc = device.compute_capability
        lines.append(f"  {index}: {device.name} (sm_{cc.major}{cc.minor})")
    return lines


def _human(size: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return str(size)


def _cache_lines(info: dict) -> list[str]:
    state = "enabled" if info["enabled"] else "disabled (NVMATH_DISABLE_CACHE)"
    if info.get("problem"):
        state = f"not used: {info['problem']}"
    cap = info.get("max_bytes")
    cap_text = f"{_human(cap)} ({cap} bytes)" if isinstance(cap, int) else f"invalid: {cap}"
    lines = [
        f"  location: {info['location']} ({state})",
        f"  size cap: {cap_text}, NVMATH_CACHE_MAX_BYTES",
        f"  entries: {info['entries']}, {_human(info['bytes'])}",
    ]
    for kind, numbers in sorted(info["kinds"].items()):
        lines.append(f"    {kind}: {numbers['entries']} entries, {_human(numbers['bytes'])}")
    return lines


def report() -> str:
    """Return the environment report: packages, toolchain versions and paths, GPU, cache.

    Example:
        >>> "nvmath" in report()  # doctest: +SKIP
        True
    """
    import nvmath
    from nvmath.compile import get_cache, toolchain

    lines = [f"nvmath {nvmath.__version__}", f"Python {sys.version.split()[0]} on {platform.platform()}", "packages:"]
    lines += [f"  {name} {version}" for name, version in toolchain.distribution_versions().items()]
    lines.append("toolchain:")
    versions = toolchain.versions()
    for name, path in toolchain.library_paths().items():
        version = versions.get(name, "")
        shown = path if path.startswith("not found") else f"{version}  {path}".strip()
        lines.append(f"  {name}: {shown}")
    try:
        lines.append(f"  headers: {', '.join(toolchain.include_dirs())}")
    except toolchain.ToolchainError as exc:
        lines.append(f"  headers: {exc}")
    lines.append("GPU:")
    lines += _gpu_report()
    lines.append("cache:")
    lines += _cache_lines(get_cache().info())
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = argparse.ArgumentParser(prog="python -m nvmath", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command")
    cache = sub.add_parser("cache", help="inspect, prune or clear the compile cache")
    cache.add_argument("action", choices=("info", "prune", "clear"))
    cache.add_argument("--max-bytes", help="prune: the size to prune to (default NVMATH_CACHE_MAX_BYTES)")
    args = parser.parse_args(argv)

    if args.command == "cache":
        from nvmath.compile.cache import get_cache, parse_size

        disk = get_cache()
        try:
            if args.action == "info":
                print("cache:")
                print("\n".join(_cache_lines(disk.info())))
            elif args.action == "prune":
                limit = parse_size(args.max_bytes, "--max-bytes") if args.max_bytes is not None else None
                counts = disk.prune(limit)
                print(
                    f"pruned {disk.root}: {counts['evicted']} least recently used entries evicted, "
                    f"{counts['corrupt']} corrupt entries, {counts['not_regular']} non-regular files and "
                    f"{counts['leftovers']} leftover temporary/lock files removed"
                )
                print("\n".join(_cache_lines(disk.info())))
            else:
                print(f"removed {disk.clear()} entries from {disk.root}")
        except ValueError as exc:
            print(f"python -m nvmath cache {args.action}: {exc}", file=sys.stderr)
            return 2
        return 0
    print(report())
    return 0


if __name__ == "__main__":
    sys.exit(main())
