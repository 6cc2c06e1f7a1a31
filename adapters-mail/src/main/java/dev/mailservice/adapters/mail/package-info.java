/** The {@code MailTransportFactory} adapter on Jakarta Mail, as implemented by Angus Mail. */
package dev.mailservice.adapters.mail;
