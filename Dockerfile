# syntax=docker/dockerfile:1
# Multi-stage image of the thredo demo: build with the Maven wrapper on a JDK 25, run on a JRE 25.
# Build context: the repository root (docker-compose.yml sets it), since demo-app needs its sibling
# modules (-am builds thredo-core and the starter first).

FROM eclipse-temurin:25-jdk AS build
WORKDIR /src
COPY . .
RUN chmod +x mvnw \
    && ./mvnw -B -ntp -pl demo-app -am package -DskipTests \
    && cp "$(ls demo-app/target/demo-app-*.jar | grep -v -e '-sources' -e '-javadoc' | head -n 1)" /app.jar

FROM eclipse-temurin:25-jre
RUN groupadd --system thredo && useradd --system --gid thredo --no-create-home thredo
WORKDIR /app
COPY --from=build /app.jar /app/app.jar
USER thredo
EXPOSE 8080
ENTRYPOINT ["java", "-jar", "/app/app.jar"]
