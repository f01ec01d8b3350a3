package dev.thredo.spring.console;

import dev.thredo.spring.ThredoProperties;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.web.servlet.DispatcherServlet;
import org.springframework.web.servlet.config.annotation.ResourceHandlerRegistry;
import org.springframework.web.servlet.config.annotation.ViewControllerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * The thredo web console at {@code /thredo}: a static page (plain HTML, CSS and JavaScript shipped in
 * this jar, nothing loaded from elsewhere) that polls {@code GET /actuator/thredo} about once a second,
 * shows the live threads as a tree (request, its group, the group's members) and cancels one through
 * {@code POST /actuator/thredo/{id}/cancel}.
 *
 * <p>Off by default; on with {@code thredo.console.enabled=true} in a servlet web application. The
 * files live under {@code META-INF/thredo-console/}, outside Boot's static locations, so they are
 * served only when this configuration registers them. The console does not secure itself: protect
 * {@code /thredo/**} and the actuator like any other management path. Its cancel request carries the
 * {@code XSRF-TOKEN} cookie's value (if any) in an {@code X-XSRF-TOKEN} header, which is what Spring
 * Security's {@code CookieCsrfTokenRepository} expects. The endpoint's address defaults to
 * {@code ../actuator/thredo} relative to the page; open {@code /thredo/?endpoint=/manage/thredo} for
 * another base path. Only an absolute path on the page's own origin is taken: any other value is
 * ignored with a notice on the page, so a link cannot make the console send its requests elsewhere.
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass(DispatcherServlet.class)
@ConditionalOnBooleanProperty("thredo.console.enabled")
@EnableConfigurationProperties(ThredoProperties.class)
public final class ThredoConsoleAutoConfiguration {

    /** Where the console is served. */
    public static final String PATH = "/thredo";

    /** Where its files are on the class path. */
    static final String LOCATION = "classpath:/META-INF/thredo-console/";

    /** Created by Spring Boot only: exclude this auto-configuration or replace its beans instead. */
    ThredoConsoleAutoConfiguration() {
    }

    @Bean
    WebMvcConfigurer thredoConsoleWebMvcConfigurer() {
        return new WebMvcConfigurer() {
            @Override
            public void addResourceHandlers(ResourceHandlerRegistry registry) {
                registry.addResourceHandler(PATH + "/**").addResourceLocations(LOCATION);
            }

            @Override
            public void addViewControllers(ViewControllerRegistry registry) {
                // "/thredo" -> "/thredo/" so that the page's relative links resolve under /thredo/.
                registry.addRedirectViewController(PATH, PATH + "/");
                registry.addViewController(PATH + "/").setViewName("forward:" + PATH + "/index.html");
            }
        };
    }
}
