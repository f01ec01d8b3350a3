package dev.thredo.spring.console;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;

/** The console tests' application: auto-configuration only. */
@SpringBootConfiguration
@EnableAutoConfiguration
class ConsoleTestApp {
}
