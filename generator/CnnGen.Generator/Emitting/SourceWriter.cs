using System;
using System.Text;

namespace CnnGen.Generator.Emitting
{
    /// <summary>An indented text writer with a helper that opens and closes blocks.</summary>
    internal sealed class SourceWriter
    {
        private const string IndentUnit = "    ";
        private readonly StringBuilder _builder = new(16 * 1024);
        private int _indent;

        public void Line(string text = "")
        {
            if (text.Length > 0)
            {
                for (int i = 0; i < _indent; i++)
                {
                    _builder.Append(IndentUnit);
                }

                _builder.Append(text);
            }

            _builder.Append('\n');
        }

        /// <summary>Writes <paramref name="header"/> and "{", indents, and writes "}" when disposed.</summary>
        public Scope Block(string header)
        {
            Line(header);
            Line("{");
            _indent++;
            return new Scope(this);
        }

        public override string ToString() => _builder.ToString();

        internal readonly struct Scope : IDisposable
        {
            private readonly SourceWriter _writer;

            public Scope(SourceWriter writer) => _writer = writer;

            public void Dispose()
            {
                _writer._indent--;
                _writer.Line("}");
            }
        }
    }
}
