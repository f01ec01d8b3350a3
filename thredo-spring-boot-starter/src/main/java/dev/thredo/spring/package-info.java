/**
 * Spring Boot integration for thredo (auto-configuration, request scopes, actuator endpoint); filled in by a later issue.
 */
package dev.thredo.spring;
