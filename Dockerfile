# syntax=docker/dockerfile:1
# Multi-stage images of the thredo demo and of the management service (thredo-admin): build both with
# the Maven wrapper on a JDK 25, run each on a JRE 25. Build context: the repository root
# (docker-compose.yml sets it), since the modules need their siblings (-am builds thredo-core and the
# starter first). `docker build .` gives the demo (the last stage); `--target admin` the service.

FROM eclipse-temurin:25-jdk AS build
WORKDIR /src
COPY . .
RUN chmod +x mvnw \
    && ./mvnw -B -ntp -pl demo-app,thredo-admin -am package -DskipTests \
    && cp "$(ls demo-app/target/demo-app-*.jar | grep -v -e '-sources' -e '-javadoc' | head -n 1)" /demo.jar \
    && cp thredo-admin/target/thredo-admin-*-exec.jar /admin.jar

FROM eclipse-temurin:25-jre AS admin
RUN groupadd --system thredo && useradd --system --gid thredo --no-create-home thredo
WORKDIR /app
COPY --from=build /admin.jar /app/app.jar
USER thredo
EXPOSE 9080
ENTRYPOINT ["java", "-jar", "/app/app.jar"]

FROM eclipse-temurin:25-jre AS demo
RUN groupadd --system thredo && useradd --system --gid thredo --no-create-home thredo
WORKDIR /app
COPY --from=build /demo.jar /app/app.jar
USER thredo
EXPOSE 8080
ENTRYPOINT ["java", "-jar", "/app/app.jar"]
