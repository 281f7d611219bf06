# ActorKV image: built from source in a Maven stage, run on a JRE as a
# non-root user. deploy/kubernetes runs it; docs/kubernetes.md explains.
#   docker build -t actorkv:0.2.0-SNAPSHOT .
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src ./src
RUN mvn -B -q package -DskipTests

FROM eclipse-temurin:17-jre
# The same uid and gid as the Deployment's securityContext (runAsUser 10001).
RUN groupadd --system --gid 10001 actorkv \
 && useradd --system --uid 10001 --gid actorkv --home-dir /var/lib/actorkv --shell /usr/sbin/nologin actorkv \
 && mkdir -p /var/lib/actorkv \
 && chown actorkv:actorkv /var/lib/actorkv
COPY --from=build /src/target/actorkv.jar /opt/actorkv/actorkv.jar
USER 10001:10001
WORKDIR /var/lib/actorkv
ENV ACTORKV_DATA_DIR=/var/lib/actorkv
# http, remote (Artery), management
EXPOSE 8080 25520 8558
# The jar's manifest carries the two --add-opens flags LMDB needs.
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=70", "-jar", "/opt/actorkv/actorkv.jar"]
CMD ["serve"]
