package dev.thredo.spring.actuate;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;

/** A bare application for the HTTP tests: auto-configuration only, no component scanning. */
@SpringBootConfiguration(proxyBeanMethods = false)
@EnableAutoConfiguration
class ActuateTestApplication {
}
