# The Charthouse agent image (and the server: same binary, `charthouse serve`).
# It cannot be built on the development machines of this project (no container engine there);
# the manifest it runs under is tested with the real kubectl against the Kubernetes API stand-in.
#
#   docker build -t charthouse/agent:latest .
#   charthouse serve with CHARTHOUSE_AGENT_IMAGE=charthouse/agent:latest puts it in agent manifests.

# 1. Build: the release binary, with the Swift runtime linked statically.
FROM swift:6.3-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends libyaml-dev zlib1g-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --product charthouse --static-swift-stdlib \
    && cp "$(swift build -c release --show-bin-path)/charthouse" /charthouse

# 2. helm, which the agent runs to install charts.
FROM debian:bookworm-slim AS helm
ARG HELM_VERSION=v4.1.4
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl && rm -rf /var/lib/apt/lists/* \
    && curl -fsSL "https://get.helm.sh/helm-${HELM_VERSION}-linux-amd64.tar.gz" | tar -xz -C /tmp \
    && mv /tmp/linux-amd64/helm /helm

# 3. Runtime: the Swift runtime image's slim variant (Foundation's shared libraries), as a non-root user.
FROM swift:6.3-bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates libyaml-0-2 zlib1g && rm -rf /var/lib/apt/lists/* \
    && useradd --uid 65532 --create-home --shell /usr/sbin/nologin charthouse
COPY --from=build /charthouse /usr/local/bin/charthouse
COPY --from=helm /helm /usr/local/bin/helm
USER 65532
ENV HOME=/home/charthouse
ENTRYPOINT ["/usr/local/bin/charthouse"]
CMD ["agent", "--token-file", "/etc/charthouse/token", "--state-dir", "/var/lib/charthouse"]
