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
        public Scope Block(string header, string close = "}")
        {
            Line(header);
            Line("{");
            _indent++;
            return new Scope(this, close);
        }

        public override string ToString() => _builder.ToString();

        internal readonly struct Scope : IDisposable
        {
            private readonly SourceWriter _writer;
            private readonly string _close;

            public Scope(SourceWriter writer, string close)
            {
                _writer = writer;
                _close = close;
            }

            public void Dispose()
            {
                _writer._indent--;
                _writer.Line(_close);
            }
        }
    }
}
