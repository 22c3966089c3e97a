// A richtext field: TipTap's editor with a toolbar, holding HTML. The server keeps only the markup
// this editor writes (src/data/richtext.ts), so what an editor sees here is what readers get.
import { useEffect, useRef, useState } from 'react';
import { EditorContent, useEditor, useEditorState, type Editor } from '@tiptap/react';
import StarterKit from '@tiptap/starter-kit';

type Props = { id: string; label: string; describedBy?: string; invalid: boolean; value: string; readOnly?: boolean; onChange: (html: string) => void };

const escapeText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Plain text (older data, API clients) opens as paragraphs rather than one run-on line. */
function asHtml(value: string): string {
  if (value.includes('<') || value === '') return value;
  return value
    .split(/\n\s*\n/)
    .map((p) => `<p>${escapeText(p).replace(/\n/g, '<br>')}</p>`)
    .join('');
}

type Tool = { key: string; label: string; text: string; active?: (e: Editor) => boolean; run: (e: Editor) => void; enabled?: (e: Editor) => boolean };

const TOOLS: Tool[][] = [
  [
    { key: 'bold', label: 'Bold', text: 'B', active: (e) => e.isActive('bold'), run: (e) => e.chain().focus().toggleBold().run() },
    { key: 'italic', label: 'Italic', text: 'I', active: (e) => e.isActive('italic'), run: (e) => e.chain().focus().toggleItalic().run() },
    { key: 'code', label: 'Inline code', text: '</>', active: (e) => e.isActive('code'), run: (e) => e.chain().focus().toggleCode().run() },
  ],
  [
    { key: 'h2', label: 'Heading H2', text: 'H2', active: (e) => e.isActive('heading', { level: 2 }), run: (e) => e.chain().focus().toggleHeading({ level: 2 }).run() },
    { key: 'h3', label: 'Subheading H3', text: 'H3', active: (e) => e.isActive('heading', { level: 3 }), run: (e) => e.chain().focus().toggleHeading({ level: 3 }).run() },
    { key: 'ul', label: 'Bulleted list', text: '•', active: (e) => e.isActive('bulletList'), run: (e) => e.chain().focus().toggleBulletList().run() },
    { key: 'ol', label: 'Numbered list 1.', text: '1.', active: (e) => e.isActive('orderedList'), run: (e) => e.chain().focus().toggleOrderedList().run() },
    { key: 'quote', label: 'Quote', text: '“', active: (e) => e.isActive('blockquote'), run: (e) => e.chain().focus().toggleBlockquote().run() },
    { key: 'pre', label: 'Code block', text: '{ }', active: (e) => e.isActive('codeBlock'), run: (e) => e.chain().focus().toggleCodeBlock().run() },
  ],
  [
    { key: 'undo', label: 'Undo', text: '↶', run: (e) => e.chain().focus().undo().run(), enabled: (e) => e.can().undo() },
    { key: 'redo', label: 'Redo', text: '↷', run: (e) => e.chain().focus().redo().run(), enabled: (e) => e.can().redo() },
  ],
];

export function RichTextInput(p: Props) {
  // What the editor last sent up, and the values it sent before that the form has not echoed back
  // yet: under load React renders one keystroke's value after the next keystroke was typed, and such
  // a stale echo must not be taken for a value from outside (it would undo the newer typing).
  const emitted = useRef(p.value);
  const pending = useRef(new Set<string>());
  const onChange = useRef(p.onChange);
  onChange.current = p.onChange;
  const editor = useEditor({
    extensions: [StarterKit.configure({ heading: { levels: [2, 3, 4] }, link: { openOnClick: false, autolink: true, defaultProtocol: 'https' } })],
    content: asHtml(p.value),
    editable: !p.readOnly,
    immediatelyRender: true,
    // Its base styles are in styles.css: the admin's CSP refuses injected <style> elements.
    injectCSS: false,
    shouldRerenderOnTransaction: false,
    editorProps: { attributes: { id: p.id, class: 'rte-content', role: 'textbox', 'aria-multiline': 'true', 'aria-labelledby': `${p.id}-label` } },
    onUpdate: ({ editor: e }) => {
      // The empty paragraph TipTap keeps after a list or quote (so the cursor can leave it) is not content.
      const html = e.isEmpty ? '' : e.getHTML().replace(/(<p><\/p>)+$/, '');
      emitted.current = html;
      pending.current.add(html);
      onChange.current(html);
    },
  });

  // Attributes that change after creation (an error, a hint, read-only) are set on the live editor.
  useEffect(() => {
    editor.setOptions({
      editable: !p.readOnly,
      editorProps: {
        attributes: {
          id: p.id,
          class: 'rte-content',
          role: 'textbox',
          'aria-multiline': 'true',
          'aria-labelledby': `${p.id}-label`,
          ...(p.describedBy && { 'aria-describedby': p.describedBy }),
          ...(p.invalid && { 'aria-invalid': 'true' }),
          ...(p.readOnly && { 'aria-readonly': 'true' }),
        },
      },
    });
  }, [editor, p.id, p.describedBy, p.invalid, p.readOnly]);

  // A value from outside (a reload, a restore, an accepted AI suggestion) replaces the content.
  useEffect(() => {
    if (p.value === emitted.current) {
      // Renders come in order: once the latest value is back, no older one follows.
      pending.current.clear();
      return;
    }
    if (pending.current.has(p.value)) return;
    pending.current.clear();
    emitted.current = p.value;
    editor.commands.setContent(asHtml(p.value), { emitUpdate: false });
  }, [editor, p.value]);

  const state = useEditorState({
    editor,
    selector: ({ editor: e }) => ({
      active: Object.fromEntries(TOOLS.flat().map((t) => [t.key, t.active ? t.active(e) : false])),
      enabled: Object.fromEntries(TOOLS.flat().map((t) => [t.key, t.enabled ? t.enabled(e) : true])),
      link: e.isActive('link'),
      href: (e.getAttributes('link').href as string | undefined) ?? '',
    }),
  });

  const [linking, setLinking] = useState(false);
  const [href, setHref] = useState('');
  const openLink = () => {
    setHref(state.href || 'https://');
    setLinking(true);
  };
  const applyLink = () => {
    const url = href.trim();
    const chain = editor.chain().focus().extendMarkRange('link');
    if (url === '' || url === 'https://') chain.unsetLink().run();
    else chain.setLink({ href: url }).run();
    setLinking(false);
  };

  return (
    <div className={`rte${p.invalid ? ' rte-invalid' : ''}`}>
      <div role="toolbar" aria-label={`Formatting for ${p.label.replace(' (required)', '')}`} aria-controls={p.id} className="rte-toolbar">
        {TOOLS.map((group, i) => (
          <div className="rte-group" key={i}>
            {group.map((t) => (
              <button
                key={t.key}
                type="button"
                aria-label={t.label}
                title={t.label}
                aria-pressed={t.active ? state.active[t.key] : undefined}
                disabled={p.readOnly || !state.enabled[t.key]}
                // A click keeps the focus (and the selection) in the text; the keyboard path refocuses it.
                onMouseDown={(e) => e.preventDefault()}
                onClick={() => t.run(editor)}
              >
                <span aria-hidden="true">{t.text}</span>
              </button>
            ))}
            {i === 0 && (
              <button type="button" aria-label="Link" title="Link" aria-pressed={state.link} aria-expanded={linking} disabled={p.readOnly} onClick={() => (linking ? setLinking(false) : openLink())}>
                <span aria-hidden="true">Link</span>
              </button>
            )}
          </div>
        ))}
      </div>
      {linking && (
        // Not a <form>: it sits inside the item's form, and forms do not nest.
        <div className="rte-link" role="group" aria-label="Link">
          <label htmlFor={`${p.id}-href`}>Link address</label>
          <input
            id={`${p.id}-href`}
            type="url"
            value={href}
            autoFocus
            onChange={(e) => setHref(e.target.value)}
            onKeyDown={(e) => {
              // Enter would submit the item's form; here it applies the link.
              if (e.key === 'Enter') {
                e.preventDefault();
                applyLink();
              }
              if (e.key === 'Escape') setLinking(false);
            }}
          />
          <button type="button" onClick={applyLink}>
            Apply link
          </button>
          {state.link && (
            <button
              type="button"
              onClick={() => {
                editor.chain().focus().extendMarkRange('link').unsetLink().run();
                setLinking(false);
              }}
            >
              Remove link
            </button>
          )}
        </div>
      )}
      <EditorContent editor={editor} />
    </div>
  );
}
