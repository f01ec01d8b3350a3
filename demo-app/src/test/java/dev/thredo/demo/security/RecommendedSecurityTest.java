package dev.thredo.demo.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;

import dev.thredo.Outcome;
import dev.thredo.spring.actuate.ThredoEndpoint;
import dev.thredo.spring.security.CrossSiteRequestFilter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.csrf.CsrfFilter;

/**
 * The {@code SecurityFilterChain} the README recommends (section "Security"), copied here as written
 * there: operators may cancel with the one-line curl, monitoring may only read, a cross-site request
 * is refused even with an operator's credentials, health is open. On Boot's default platform request
 * threads ({@link RecommendedSecurityVirtualThreadsTest}: virtual ones).
 */
@SpringBootTest(classes = RecommendedSecurityTest.App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "spring.autoconfigure.exclude=org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RecommendedSecurityTest extends SecurityTestSupport {

    /** An application with the README's actuator chain and two users. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {

        // --- as in the README
        @Bean
        @Order(1) // before the application's own chain, if it has one
        SecurityFilterChain actuatorSecurity(HttpSecurity http) throws Exception {
            return http
                .securityMatcher(EndpointRequest.toAnyEndpoint())
                .authorizeHttpRequests(auth -> auth
                    .requestMatchers(EndpointRequest.to(HealthEndpoint.class)).permitAll()
                    // Who may cancel: operators (the thredo endpoint's only POST is the cancel).
                    .requestMatchers(EndpointRequest.to(ThredoEndpoint.class).withHttpMethod(HttpMethod.POST))
                        .hasRole("OPERATOR")
                    // Who may look: operators and monitoring.
                    .requestMatchers(EndpointRequest.to(ThredoEndpoint.class)).hasAnyRole("OPERATOR", "MONITOR")
                    .anyRequest().hasRole("OPERATOR"))
                .httpBasic(Customizer.withDefaults())
                // No CSRF token to fetch first: requests a browser marks cross-site are refused instead.
                .csrf(csrf -> csrf.disable())
                .addFilterBefore(new CrossSiteRequestFilter(), CsrfFilter.class)
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .build();
        }
        // --- end of the README's chain

        @Bean
        InMemoryUserDetailsManager users() {
            return new InMemoryUserDetailsManager(
                    User.withUsername("ops").password("{noop}ops-secret").roles("OPERATOR").build(),
                    User.withUsername("grafana").password("{noop}grafana-secret").roles("MONITOR").build());
        }
    }

    private static final String OPERATOR = "ops:ops-secret";
    private static final String MONITOR = "grafana:grafana-secret";

    @Test
    void anOperatorCancelsWithTheOneLineCurl() throws Exception {
        HttpResponse<String> response = send("POST", cancelPath(), OPERATOR);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        target.await();
        assertThat(target.outcome()).isEqualTo(Outcome.CANCELLED);
    }

    @Test
    void monitoringMayListButNotCancel() throws Exception {
        assertThat(send("GET", "/actuator/thredo", MONITOR).statusCode()).isEqualTo(200);
        assertThat(send("POST", cancelPath(), MONITOR).statusCode()).isEqualTo(403);
        assertThat(target.isCancelled()).isFalse();
    }

    @Test
    void aCrossSiteCancelIsRefusedEvenWithAnOperatorsCredentials() throws Exception {
        HttpResponse<String> response = send("POST", cancelPath(), OPERATOR,
                "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site");

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.body()).contains("README.md#cross-site-request-refused");
        assertThat(target.isCancelled()).isFalse();
    }

    @Test
    void anonymousCallersAreChallengedAndHealthIsOpen() throws Exception {
        assertThat(send("POST", cancelPath(), null).statusCode()).isEqualTo(401);
        assertThat(send("GET", "/actuator/thredo", null).statusCode()).isEqualTo(401);
        assertThat(send("GET", "/actuator/health", null).statusCode()).isEqualTo(200);
        assertThat(target.isCancelled()).isFalse();
    }
}
