#!/usr/bin/env python3
"""Writes a realistic Helm repository index.yaml: CHARTS charts x VERSIONS versions each.

Entries look like those of large public repositories (bitnami, grafana): multi-line descriptions,
maintainers, dependencies with conditions, annotations, keywords, sources, digests and URLs.
Usage: generate-index.py OUT CHARTS VERSIONS [--extra-version]
"""
import hashlib
import sys

def main():
    out, charts, versions = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    extra = "--extra-version" in sys.argv
    lines = ["apiVersion: v1", "entries:"]
    for c in range(charts):
        name = f"chart-{c:04d}"
        lines.append(f"  {name}:")
        count = versions + (1 if extra and c == 0 else 0)
        for v in reversed(range(count)):
            version = f"{v // 10}.{v % 10}.{c % 7}"
            digest = hashlib.sha256(f"{name}-{version}".encode()).hexdigest()
            lines += [
                "  - annotations:",
                "      category: Infrastructure",
                "      images: |",
                f"        - name: {name}",
                f"          image: docker.io/example/{name}:{version}-debian-12-r{v}",
                "      licenses: Apache-2.0",
                "    apiVersion: v2",
                f'    appVersion: "{v + 1}.{c % 13}.0"',
                f"    created: \"2024-{(v % 12) + 1:02d}-{(c % 28) + 1:02d}T10:{v % 60:02d}:00.123456789Z\"",
                "    dependencies:",
                "    - name: common",
                "      repository: oci://registry-1.docker.io/bitnamicharts",
                "      version: 2.x.x",
                f"    description: {name} is an application packaged for Kubernetes, with sensible",
                "      defaults and a description that wraps over lines.",
                f"    digest: {digest}",
                f"    home: https://example.com/charts/{name}",
                f"    icon: https://example.com/icons/{name}.svg",
                "    keywords:",
                f"    - {name}",
                "    - database",
                "    - infrastructure",
                "    maintainers:",
                "    - name: Example Maintainers",
                "      url: https://github.com/example/charts",
                f"    name: {name}",
                f"    urls:",
                f"    - charts/{name}-{version}.tgz",
                f"    version: {version}",
            ]
    lines.append('generated: "2024-12-01T00:00:00Z"')
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")

if __name__ == "__main__":
    main()
