package dev.thredo.spring.problem;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;

/** The problem writer is a bean of every servlet application, and backs off for the application's own. */
class ThredoProblemAutoConfigurationTest {

    private final WebApplicationContextRunner web = new WebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ThredoProblemAutoConfiguration.class));

    @Test
    void aServletApplicationGetsTheWriter() {
        web.run(context -> assertThat(context).hasSingleBean(ProblemDetailWriter.class));
    }

    @Test
    void anApplicationsOwnWriterWins() {
        ProblemDetailWriter own = new ProblemDetailWriter();
        web.withBean(ProblemDetailWriter.class, () -> own)
                .run(context -> assertThat(context.getBean(ProblemDetailWriter.class)).isSameAs(own));
    }

    @Test
    void notInANonWebApplication() {
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(ThredoProblemAutoConfiguration.class))
                .run(context -> assertThat(context).doesNotHaveBean(ProblemDetailWriter.class));
    }
}
