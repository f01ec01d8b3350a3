package dev.thredo.admin;

import de.codecentric.boot.admin.server.config.EnableAdminServer;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The management service for a fleet of thredo applications: a Spring Boot Admin server. Instances
 * register with it through the SBA client ({@code spring.boot.admin.client.url}) and pass the
 * credentials of their actuator as instance metadata ({@code user.name}, {@code user.password}); the
 * server reaches their actuator endpoints, the {@code thredo} endpoint among them, only on behalf of a
 * user logged in to it ({@link AdminSecurityConfig}), through its instance proxy
 * ({@code /instances/{id}/actuator/...}).
 */
@SpringBootApplication
@EnableAdminServer
public class ThredoAdminApplication {

    public static void main(String[] args) {
        SpringApplication.run(ThredoAdminApplication.class, args);
    }
}
