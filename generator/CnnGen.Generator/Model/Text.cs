using System.Collections.Generic;
using System.Globalization;

namespace CnnGen.Generator.Model
{
    /// <summary>Number and list formatting for messages and generated code (invariant culture, true minus signs).</summary>
    internal static class Text
    {
        public static string Int(long value) =>
            value < 0 ? "\u2212" + (-value).ToString(CultureInfo.InvariantCulture) : value.ToString(CultureInfo.InvariantCulture);

        /// <summary>A literal for generated code (ASCII minus).</summary>
        public static string Literal(long value) => value.ToString(CultureInfo.InvariantCulture);

        /// <summary>Thousands separated, for documentation: 2,416.</summary>
        public static string Grouped(long value) => value.ToString("#,0", CultureInfo.InvariantCulture);

        /// <summary>A fraction to at most two decimals: 5.5, 4.33.</summary>
        public static string Decimal(double value)
        {
            string text = System.Math.Abs(value).ToString("0.##", CultureInfo.InvariantCulture);
            return value < 0 ? "\u2212" + text : text;
        }

        /// <summary>A float as a user wrote it, for messages: 0.001, −2, NaN, ∞.</summary>
        public static string Float(double value)
        {
            if (double.IsNaN(value))
            {
                return "NaN";
            }

            if (double.IsInfinity(value))
            {
                return value > 0 ? "\u221E" : "\u2212\u221E";
            }

            // "1e-5" rather than .NET's "1E-05".
            string text = ((float)System.Math.Abs(value)).ToString("R", CultureInfo.InvariantCulture).Replace("E-0", "e-").Replace("E+0", "e+").Replace("E", "e");
            return value < 0 ? "\u2212" + text : text;
        }

        /// <summary>A float literal for generated code (round-trips, ASCII, with the f suffix): 0.01f, 1E-05f.</summary>
        public static string FloatLiteral(double value) => ((float)value).ToString("R", CultureInfo.InvariantCulture) + "f";

        /// <summary>"a", "a or b", "a, b or c".</summary>
        public static string Or(IReadOnlyList<string> items)
        {
            if (items.Count == 1)
            {
                return items[0];
            }

            return string.Join(", ", Take(items, items.Count - 1)) + " or " + items[items.Count - 1];
        }

        /// <summary>Ways out, as a clause: "Stride = 1 or 3, or Rounding = Floor, would fit".</summary>
        public static string WouldFit(IReadOnlyList<string> options)
        {
            if (options.Count == 0)
            {
                return "no nearby value would fit";
            }

            if (options.Count == 1)
            {
                return options[0] + " would fit";
            }

            return string.Join(", ", Take(options, options.Count - 1)) + ", or " + options[options.Count - 1] + ", would fit";
        }

        public static string Shape(long width, long height, long depth) =>
            Literal(width) + "x" + Literal(height) + "x" + Literal(depth);

        private static IEnumerable<string> Take(IReadOnlyList<string> items, int count)
        {
            for (int i = 0; i < count; i++)
            {
                yield return items[i];
            }
        }
    }
}
