using System.Collections.Generic;
using System.Text;
using CnnGen.Generator.Model;

namespace CnnGen.Generator.Emitting
{
    /// <summary>
    /// An index expression c + Σ aᵢ·vᵢ over loop variables, built while emitting and printed with every constant
    /// folded: no <c>* 1</c>, no <c>+ 0</c>, and a variable whose loop runs once is simply absent
    /// (<see cref="SourceWriter.For"/> hands out <see cref="Zero"/> for it).
    /// </summary>
    internal readonly struct Affine
    {
        private readonly (string Variable, long Factor)[]? _terms;
        private readonly long _constant;

        private Affine((string, long)[]? terms, long constant)
        {
            _terms = terms;
            _constant = constant;
        }

        public static Affine Zero => default;

        public static Affine Var(string variable) => new(new[] { (variable, 1L) }, 0);

        public long Constant => _constant;

        public bool IsConstant => _terms is null || _terms.Length == 0;

        public static implicit operator Affine(long constant) => new(null, constant);

        public static Affine operator +(Affine a, Affine b)
        {
            var terms = new List<(string, long)>(a._terms ?? new (string, long)[0]);
            foreach ((string variable, long factor) in b._terms ?? new (string, long)[0])
            {
                int at = terms.FindIndex(t => t.Item1 == variable);
                if (at >= 0)
                {
                    terms[at] = (variable, terms[at].Item2 + factor);
                }
                else
                {
                    terms.Add((variable, factor));
                }
            }

            terms.RemoveAll(t => t.Item2 == 0);
            return new Affine(terms.ToArray(), a._constant + b._constant);
        }

        public static Affine operator *(Affine a, long factor)
        {
            if (factor == 0 || a._terms is null)
            {
                return new Affine(null, a._constant * factor);
            }

            var terms = new (string, long)[a._terms.Length];
            for (int i = 0; i < terms.Length; i++)
            {
                terms[i] = (a._terms[i].Variable, a._terms[i].Factor * factor);
            }

            return new Affine(terms, a._constant * factor);
        }

        /// <summary>"(y * 32) + x + 5", "q", "0".</summary>
        public override string ToString()
        {
            int count = (_terms?.Length ?? 0) + (_constant != 0 ? 1 : 0);
            if (count == 0)
            {
                return "0";
            }

            var text = new StringBuilder();
            foreach ((string variable, long factor) in _terms ?? new (string, long)[0])
            {
                string term = factor == 1 ? variable : variable + " * " + Text.Literal(factor);
                text.Append(text.Length == 0 ? string.Empty : " + ").Append(count > 1 && factor != 1 ? "(" + term + ")" : term);
            }

            if (_constant != 0)
            {
                text.Append(text.Length == 0 ? Text.Literal(_constant) : (_constant > 0 ? " + " : " - ") + Text.Literal(System.Math.Abs(_constant)));
            }

            return text.ToString();
        }
    }
}
