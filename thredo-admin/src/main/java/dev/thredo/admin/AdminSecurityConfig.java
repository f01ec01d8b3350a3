package dev.thredo.admin;

import static org.springframework.http.HttpMethod.DELETE;
import static org.springframework.http.HttpMethod.POST;

import de.codecentric.boot.admin.server.config.AdminServerProperties;
import jakarta.servlet.DispatcherType;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.SavedRequestAwareAuthenticationSuccessHandler;
import org.springframework.security.web.authentication.www.BasicAuthenticationFilter;
import org.springframework.security.web.csrf.CookieCsrfTokenRepository;
import org.springframework.security.web.csrf.CsrfTokenRequestAttributeHandler;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;

/**
 * Who may use the management service, as Spring Boot Admin's security guide recommends: its UI
 * behind a login form and a session, CSRF tokens on every state-changing request from the UI, HTTP
 * Basic for the instances that register. The user is Boot's standard one
 * ({@code spring.security.user.name} / {@code .password}).
 *
 * <p>Everything but the login page, the UI's static assets and this server's health is for a
 * logged-in user only; so is the instance proxy, the one way the server reaches its instances'
 * actuators (with the credentials they registered).
 */
@Configuration(proxyBeanMethods = false)
class AdminSecurityConfig {

    private final AdminServerProperties adminServer;

    AdminSecurityConfig(AdminServerProperties adminServer) {
        this.adminServer = adminServer;
    }

    @Bean
    SecurityFilterChain adminSecurity(HttpSecurity http) throws Exception {
        // After logging in, back to the page that asked for it (SBA's UI passes it as redirectTo).
        SavedRequestAwareAuthenticationSuccessHandler toRequestedPage = new SavedRequestAwareAuthenticationSuccessHandler();
        toRequestedPage.setTargetUrlParameter("redirectTo");
        toRequestedPage.setDefaultTargetUrl(adminServer.path("/"));

        http
            .authorizeHttpRequests(auth -> auth
                .requestMatchers(path("/assets/**"), path("/login"), path("/actuator/health")).permitAll()
                // The proxy answers streamed actuator responses asynchronously; the async dispatch
                // carries no security context of its own (spring-security#11027).
                .dispatcherTypeMatchers(DispatcherType.ASYNC).permitAll()
                .anyRequest().authenticated())
            .formLogin(form -> form.loginPage(adminServer.path("/login")).successHandler(toRequestedPage))
            .logout(logout -> logout.logoutUrl(adminServer.path("/logout")))
            // For the instances registering (spring.boot.admin.client.username/password): no browser.
            .httpBasic(Customizer.withDefaults())
            // SBA's UI reads the token from the XSRF-TOKEN cookie and sends it back in X-XSRF-TOKEN,
            // as is (hence the plain, unmasked token handler). Registration and deregistration come
            // from the instances, not from a browser session, so they carry none.
            .csrf(csrf -> csrf
                .csrfTokenRepository(CookieCsrfTokenRepository.withHttpOnlyFalse())
                .csrfTokenRequestHandler(new CsrfTokenRequestAttributeHandler())
                .ignoringRequestMatchers(
                    PathPatternRequestMatcher.withDefaults().matcher(POST, adminServer.path("/instances")),
                    PathPatternRequestMatcher.withDefaults().matcher(DELETE, adminServer.path("/instances/*")),
                    path("/actuator/**")))
            .addFilterAfter(new CsrfCookieFilter(), BasicAuthenticationFilter.class);
        return http.build();
    }

    private PathPatternRequestMatcher path(String pattern) {
        return PathPatternRequestMatcher.withDefaults().matcher(adminServer.path(pattern));
    }
}
