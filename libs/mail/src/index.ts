export { NodemailerMailTransport, type NodemailerMailTransportOptions } from './nodemailer-mail.transport';
