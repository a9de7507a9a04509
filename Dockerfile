# The exporter as a container image: the shaded jar built by Maven on a Java 17 runtime.
#   mvn -DskipTests package && docker build -t iothub-connectivity-exporter .
# (docker-compose.yml builds it the same way.)
FROM eclipse-temurin:17-jre

RUN groupadd --system exporter && useradd --system --gid exporter --home-dir /var/lib/iothub-exporter exporter \
    && mkdir -p /opt/iothub-exporter /var/lib/iothub-exporter \
    && chown exporter:exporter /var/lib/iothub-exporter

COPY target/iothub-connectivity-exporter.jar /opt/iothub-exporter/iothub-connectivity-exporter.jar

# Durable state (snapshot, journal, dead letters, checkpoints): keep it on a volume.
ENV IOTHUB_EXPORTER_STATE_DIR=/var/lib/iothub-exporter
VOLUME /var/lib/iothub-exporter
USER exporter
EXPOSE 9786

# The JVM sizes its heap from the container's memory limit; every tracked device needs about 150 bytes of state.
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/opt/iothub-exporter/iothub-connectivity-exporter.jar"]
