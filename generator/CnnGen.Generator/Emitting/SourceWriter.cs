using System;
using System.Text;

namespace CnnGen.Generator.Emitting
{
    /// <summary>An indented text writer with helpers that open and close blocks and loops.</summary>
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

        /// <summary>Writes each line of a block of documentation comments ("/// …").</summary>
        public void Doc(params string[] lines)
        {
            foreach (string line in lines)
            {
                Line("/// " + line);
            }
        }

        /// <summary>Writes <paramref name="header"/> and "{", indents, and writes "}" when disposed.</summary>
        public Scope Block(string header, string close = "}")
        {
            Line(header);
            Line("{");
            _indent++;
            return new Scope(this, close);
        }

        /// <summary>
        /// <c>for (int v = 0; v &lt; count; v++)</c>, giving the variable as an <see cref="Affine"/>. A loop that runs
        /// once is not written: its variable is zero and folds out of every index.
        /// </summary>
        public Scope For(string variable, long count, out Affine index)
        {
            if (count == 1)
            {
                index = Affine.Zero;
                return default;
            }

            index = Affine.Var(variable);
            return Block("for (int " + variable + " = 0; " + variable + " < " + Model.Text.Literal(count) + "; " + variable + "++)");
        }

        public override string ToString() => _builder.ToString();

        internal readonly struct Scope : IDisposable
        {
            private readonly SourceWriter? _writer;
            private readonly string _close;

            public Scope(SourceWriter writer, string close)
            {
                _writer = writer;
                _close = close;
            }

            public void Dispose()
            {
                if (_writer is null)
                {
                    return;
                }

                _writer._indent--;
                _writer.Line(_close);
            }
        }
    }
}
