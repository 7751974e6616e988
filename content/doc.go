// Package content owns the content library: Markdown messages per target group and
// language, their variants and versions, the review workflow (four eyes), rendering
// to safe HTML and to read-aloud text, message templates with placeholders, the
// checks an approver reads, and attachments.
package content
