package dev.thredo.demo;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.authentication.InsufficientAuthenticationException;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.authentication.www.BasicAuthenticationFilter;
import org.springframework.security.web.csrf.CookieCsrfTokenRepository;
import org.springframework.security.web.csrf.CsrfException;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.security.web.csrf.CsrfTokenRequestAttributeHandler;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Who may do what in the demo.
 *
 * <p>The user is Boot's standard one ({@code spring.security.user.name} / {@code .password}:
 * {@code admin} / {@code thredo} in {@code application.properties}).
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfig {

    @Bean
    SecurityFilterChain demoSecurity(HttpSecurity http) throws Exception {
        // Plain (unmasked) tokens: the console's JavaScript sends back the cookie value as is.
        CsrfTokenRequestAttributeHandler plainToken = new CsrfTokenRequestAttributeHandler();

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
            .httpBasic(basic -> basic.authenticationEntryPoint(new ProblemBasicEntryPoint("thredo demo")))
            // A request without credentials that fails the CSRF check (say an anonymous POST
            // /actuator/thredo/7/cancel) gets the same 401 challenge as any anonymous request to a
            // protected path: the CSRF filter runs before authentication, so its denial would
            // otherwise be a 403 that hides "log in first". With credentials it is a 403 problem.
            .exceptionHandling(ex -> ex
                .authenticationEntryPoint(new ProblemBasicEntryPoint("thredo demo"))
                .accessDeniedHandler(new ProblemAccessDeniedHandler(new ProblemBasicEntryPoint("thredo demo"))))
            // CSRF stays on for everything Basic protects. The browser sends Basic credentials
            // automatically with every request to this origin, so without a token a form on any
            // other site could POST /actuator/thredo/{id}/cancel and cancel threads in the
            // operator's name. The token lives in a cookie (XSRF-TOKEN) readable by JavaScript
            // (hence HttpOnly=false) and must come back in the X-XSRF-TOKEN header: another site
            // can make the browser send the cookie, but cannot read it to set the header.
            // CsrfTokenRequestAttributeHandler expects the plain token (not the BREACH-masked one
            // of the default XorCsrfTokenRequestAttributeHandler), so the console can echo the
            // cookie value as is.
            .csrf(csrf -> csrf
                .csrfTokenRepository(CookieCsrfTokenRepository.withHttpOnlyFalse())
                .csrfTokenRequestHandler(plainToken)
                // /api/** is open to anonymous callers and ignores credentials: a forged cross-site
                // request there can do nothing the attacker could not do directly (there is no
                // ambient authority to abuse), so the job start (POST /api/jobs) stays usable from
                // curl and scripts without a token. Cancelling a job is not under /api/**.
                .ignoringRequestMatchers("/api/**"))
            // The token is deferred: it is only generated (and its cookie only written) when
            // something reads it. Reading it on every GET of the console and of the actuator
            // endpoint makes sure the console has a cookie before its first POST.
            .addFilterAfter(new CsrfCookieFilter(), BasicAuthenticationFilter.class)
            // Basic is stateless: no login form, and no session created just to remember the
            // request that was answered 401 (there is no login page to come back from).
            .formLogin(form -> form.disable())
            .requestCache(cache -> cache.disable());
        return http.build();
    }

    /** Touches the deferred CSRF token on console and actuator GETs so that its cookie is issued. */
    static final class CsrfCookieFilter extends OncePerRequestFilter {

        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws ServletException, IOException {
            String path = request.getRequestURI().substring(request.getContextPath().length());
            if (path.equals("/thredo") || path.startsWith("/thredo/") || path.startsWith("/actuator/thredo")) {
                CsrfToken token = (CsrfToken) request.getAttribute(CsrfToken.class.getName());
                if (token != null) {
                    token.getToken(); // loads or generates the token; the repository writes the cookie
                }
            }
            chain.doFilter(request, response);
        }
    }

    /** 401 for a request without credentials, otherwise 403, both with a problem body. */
    static final class ProblemAccessDeniedHandler implements AccessDeniedHandler {

        private final AuthenticationEntryPoint entryPoint;

        ProblemAccessDeniedHandler(AuthenticationEntryPoint entryPoint) {
            this.entryPoint = entryPoint;
        }

        @Override
        public void handle(HttpServletRequest request, HttpServletResponse response,
                AccessDeniedException denied) throws IOException, ServletException {
            Authentication auth = SecurityContextHolder.getContext().getAuthentication();
            boolean anonymous = auth == null || auth instanceof AnonymousAuthenticationToken;
            if (anonymous && request.getHeader(HttpHeaders.AUTHORIZATION) == null) {
                entryPoint.commence(request, response,
                        new InsufficientAuthenticationException("Authentication required", denied));
                return;
            }
            String detail = denied instanceof CsrfException
                    ? "Missing or invalid CSRF token: send the XSRF-TOKEN cookie's value in the X-XSRF-TOKEN header."
                    : "Access denied.";
            writeProblem(request, response, HttpStatus.FORBIDDEN, detail);
        }
    }

    /** HTTP Basic challenge with an RFC 9457 problem body instead of an empty 401. */
    static final class ProblemBasicEntryPoint implements AuthenticationEntryPoint {

        private final String realm;

        ProblemBasicEntryPoint(String realm) {
            this.realm = realm;
        }

        @Override
        public void commence(HttpServletRequest request, HttpServletResponse response,
                org.springframework.security.core.AuthenticationException authException) throws IOException {
            response.setHeader("WWW-Authenticate", "Basic realm=\"" + realm + "\"");
            writeProblem(request, response, HttpStatus.UNAUTHORIZED, "Authentication required (HTTP Basic).");
        }
    }

    /** Writes an RFC 9457 problem body for {@code status}; the request path is its {@code instance}. */
    static void writeProblem(HttpServletRequest request, HttpServletResponse response, HttpStatus status,
            String detail) throws IOException {
        Problems.write(response, status.value(), detail, request.getRequestURI());
    }
}
