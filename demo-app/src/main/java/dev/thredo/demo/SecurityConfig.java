package dev.thredo.demo;

import dev.thredo.spring.problem.ProblemDetailWriter;
import dev.thredo.spring.security.CrossSiteRequestFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.csrf.CsrfFilter;

/**
 * Who may do what in the demo.
 *
 * <p>The user is Boot's standard one ({@code spring.security.user.name} / {@code .password}:
 * {@code admin} / {@code thredo} in {@code application.properties}).
 *
 * <p>Threat model for state-changing requests (the cancel, {@code POST /actuator/thredo/{id}/cancel}):
 * <ul>
 * <li>A browser that has the operator's Basic credentials sends them with every request to this
 * origin, also one another site's page makes (a form, a {@code text/plain} post, a {@code fetch}).
 * So a request a browser marks cross-site ({@code Sec-Fetch-Site: cross-site} or {@code same-site},
 * or an {@code Origin} that is not this one, {@code null} included) is refused with 403, whatever
 * credentials it carries: it cannot be the operator's own intent.
 * <li>Browsers always mark such requests, and a page cannot forge or drop those headers. A client
 * that sends neither header is not a browser (curl, a script): it holds its credentials itself and
 * no other site can make it send them, so it cannot be the victim of a forgery and needs no CSRF
 * token. Hence {@code curl -u admin:thredo -X POST .../cancel} works in one line.
 * <li>The console is a page of this origin: its cancel is {@code same-origin} and passes.
 * </ul>
 * {@link CrossSiteRequestFilter} does this check in place of Spring Security's token-based CSRF
 * filter, before authentication, so a refused request is a 403 problem with or without credentials.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfig {

    @Bean
    SecurityFilterChain demoSecurity(HttpSecurity http, ProblemDetailWriter problems) throws Exception {
        http
            .authorizeHttpRequests(auth -> auth
                // Liveness/readiness probes (load balancers, Kubernetes, docker-compose) carry no
                // credentials and learn nothing sensitive from an UP/DOWN answer.
                .requestMatchers("/actuator/health", "/actuator/health/**").permitAll()
                // Every other actuator path (the thredo endpoint lists thread names and stacks and
                // cancels threads; metrics/prometheus expose internals): the operator only.
                .requestMatchers("/actuator/**").authenticated()
                // The web console drives the actuator endpoint: the operator only.
                .requestMatchers("/thredo", "/thredo/**").authenticated()
                // The demo's public JSON API: anyone, it is what the demo is about.
                .requestMatchers("/api/**").permitAll()
                // Error pages must render for anybody, or a 400 on /api/** would turn into a 401.
                .requestMatchers("/error").permitAll()
                // Anything else (nothing is mapped there today): the operator only, closed by default.
                .anyRequest().authenticated())
            // HTTP Basic: the browser prompts once and then sends the credentials with every
            // request; scripts (curl, Prometheus) send them directly. Unauthenticated requests get
            // 401 with a WWW-Authenticate challenge and an RFC 9457 problem body.
            .httpBasic(basic -> basic.authenticationEntryPoint(new ProblemBasicEntryPoint("thredo demo", problems)))
            .exceptionHandling(ex -> ex.authenticationEntryPoint(new ProblemBasicEntryPoint("thredo demo", problems)))
            // The cross-site check (see the class comment) instead of a CSRF token: no cookie, no
            // token round trip for scripts, and a sibling subdomain cannot plant a token cookie.
            // It covers /api/** too: no page of another site needs to start the demo's jobs.
            .csrf(csrf -> csrf.disable())
            .addFilterBefore(new CrossSiteRequestFilter(problems), CsrfFilter.class)
            // Basic is stateless: no login form, no session (so no cookie a browser could send
            // along), and no request remembered for a login page to come back to.
            .formLogin(form -> form.disable())
            .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
            .requestCache(cache -> cache.disable());
        return http.build();
    }

    /** HTTP Basic challenge with an RFC 9457 problem body instead of an empty 401. */
    static final class ProblemBasicEntryPoint implements AuthenticationEntryPoint {

        private final String realm;
        private final ProblemDetailWriter problems;

        ProblemBasicEntryPoint(String realm, ProblemDetailWriter problems) {
            this.realm = realm;
            this.problems = problems;
        }

        @Override
        public void commence(HttpServletRequest request, HttpServletResponse response,
                org.springframework.security.core.AuthenticationException authException) throws IOException {
            response.setHeader("WWW-Authenticate", "Basic realm=\"" + realm + "\"");
            ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.UNAUTHORIZED,
                    "Authentication required (HTTP Basic).");
            problem.setInstance(ProblemDetailWriter.instanceOf(request));
            problems.write(response, problem);
        }
    }
}
