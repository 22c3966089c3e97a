// What the builder understood, assumed and refused, and any instruction-like text it found: the
// reasons its output looks the way it does.
export function Explanations({ understood, assumptions, refused, warnings }: { understood: string[]; assumptions: string[]; refused: string[]; warnings: string[] }) {
  const block = (title: string, lines: string[], className = '') =>
    lines.length > 0 && (
      <div className={`explain ${className}`}>
        <h3>{title}</h3>
        <ul>
          {lines.map((l, i) => (
            <li key={i}>{l}</li>
          ))}
        </ul>
      </div>
    );
  return (
    <div className="explanations">
      {block('Understood', understood)}
      {block('Assumed', assumptions)}
      {block('Refused', refused, 'explain-refused')}
      {block('Warnings', warnings, 'explain-refused')}
    </div>
  );
}
