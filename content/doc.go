// Package content will own content items (Markdown messages per target group and
// language), their variants, the approval workflow, rendering to safe HTML and to
// read-aloud text, and message templates. It is empty until that work lands.
package content
