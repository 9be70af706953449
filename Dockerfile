# syntax=docker/dockerfile:1
# Catchment image: one jar, two roles (collector or loader, chosen by environment; see docs/deploy.md).
#   docker build -t catchment:0.1.0 .
#   docker run -p 8080:8080 catchment:0.1.0            # `catchment serve`, local log and DuckDB under /data

FROM maven:3-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml ./
COPY src ./src
# the cache mount keeps ~/.m2 between builds (BuildKit); tests run in CI, not here
RUN --mount=type=cache,target=/root/.m2 mvn -B -q -Dmaven.test.skip=true package

FROM eclipse-temurin:17-jre
# a fixed non-root uid/gid so Kubernetes' runAsNonRoot can check it and fsGroup matches
RUN groupadd --system --gid 10001 catchment \
 && useradd --system --uid 10001 --gid 10001 --home-dir /app --no-create-home --shell /usr/sbin/nologin catchment \
 && mkdir -p /data \
 && chown 10001:10001 /data
WORKDIR /app
# catchment.jar's manifest puts lib/*.jar on its class path (maven-jar-plugin addClasspath + copy-dependencies)
COPY --from=build /src/target/lib/ /app/lib/
COPY --from=build /src/target/catchment.jar /app/catchment.jar
# The entrypoint runs java directly, so JVM options go in JAVA_TOOL_OPTIONS (the JVM reads it; JAVA_OPTS is not read).
# Heap as a share of the container's memory limit; exit on OutOfMemoryError so the orchestrator restarts the process.
ENV CATCHMENT_DATA_DIR=/data \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=70 -XX:+ExitOnOutOfMemoryError"
USER 10001:10001
EXPOSE 8080
# No HEALTHCHECK: Kubernetes ignores it and probes /healthz and /readyz itself (deploy/kubernetes).
ENTRYPOINT ["java", "-jar", "/app/catchment.jar"]
CMD ["serve"]
