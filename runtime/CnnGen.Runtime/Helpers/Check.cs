using System;
using System.ComponentModel;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace CnnGen.Runtime
{
    /// <summary>Argument checks shared by the generated code. Not meant to be called directly.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static class Check
    {
        /// <summary>Throws <see cref="ArgumentException"/> when <paramref name="actual"/> differs from <paramref name="expected"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.AggressiveInlining)]
        public static void Length(int actual, int expected, string paramName, string what)
        {
            if (actual != expected)
            {
                ThrowLength(actual, expected, paramName, what);
            }
        }

        /// <summary>
        /// Checks a batch: <paramref name="inputsLength"/> must be a whole number of samples and
        /// <paramref name="outputsLength"/> must hold one output per sample. Returns the sample count.
        /// </summary>
        public static int Batch(int inputsLength, int outputsLength, int inputLength, int outputLength)
        {
            if (inputsLength % inputLength != 0)
            {
                throw new ArgumentException(
                    string.Format(
                        CultureInfo.InvariantCulture,
                        "inputs must hold a whole number of samples of InputLength = {0} floats, but holds {1} ({1} is not a multiple of {0}).",
                        inputLength,
                        inputsLength),
                    "inputs");
            }

            int count = inputsLength / inputLength;
            long expected = (long)count * outputLength;
            if (outputsLength != expected)
            {
                throw new ArgumentException(
                    string.Format(
                        CultureInfo.InvariantCulture,
                        "outputs must hold {0} floats ({1} samples x OutputLength = {2}), but holds {3}.",
                        expected,
                        count,
                        outputLength,
                        outputsLength),
                    "outputs");
            }

            return count;
        }

        private static void ThrowLength(int actual, int expected, string paramName, string what) =>
            throw new ArgumentException(
                string.Format(CultureInfo.InvariantCulture, "{0} must hold {1} floats ({2}), but holds {3}.", paramName, expected, what, actual),
                paramName);
    }
}
