using System;
using System.Collections.Generic;
using System.Linq;
using CnnGen.Cli.Import;
using Microsoft.ML.OnnxRuntime;

namespace CnnGen.Cli.Check
{
    /// <summary>
    /// Runs ONNX Runtime on the model file and the imported network on the same random inputs. ONNX Runtime runs the graph as
    /// written (no graph optimizations): its rewrites are not always exact (it merges a Pad into a ceil-mode pool as if the
    /// padding were the pool's own), and the reference is the model, not a rewrite of it.
    /// </summary>
    internal static class OnnxChecker
    {
        /// <summary>The largest absolute difference, and the largest excess over the contract's 1e-4 + 1e-4·|reference|.</summary>
        public sealed record Comparison(int Samples, double LargestDifference, double LargestReference, bool WithinTolerance);

        public static Comparison Compare(string modelPath, ImportedNetwork network, Func<float[], float[]> forward, int samples, int seed)
        {
            using var options = new SessionOptions { IntraOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL, LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
            using var session = new InferenceSession(modelPath, options);
            var random = new Random(seed);
            int length = (int)network.InputShape.Aggregate(1L, (a, b) => a * b);
            double largest = 0, reference = 0;
            bool within = true;
            for (int s = 0; s < samples; s++)
            {
                var input = new float[length];
                for (int i = 0; i < length; i++)
                {
                    input[i] = (float)(random.NextDouble() * 2 - 1);
                }

                float[] expected = Run(session, network, input);
                float[] actual = forward(input);
                if (expected.Length != actual.Length)
                {
                    throw new InvalidOperationException("ONNX Runtime returned " + expected.Length + " values, the imported network " + actual.Length);
                }

                for (int i = 0; i < expected.Length; i++)
                {
                    double difference = Math.Abs((double)expected[i] - actual[i]);
                    if (float.IsNaN(expected[i]) != float.IsNaN(actual[i]) || (float.IsInfinity(expected[i]) && expected[i] != actual[i]))
                    {
                        difference = double.PositiveInfinity;
                    }
                    else if (float.IsNaN(expected[i]) || float.IsInfinity(expected[i]))
                    {
                        difference = 0;
                    }

                    largest = Math.Max(largest, difference);
                    reference = Math.Max(reference, Math.Abs((double)expected[i]));
                    within &= difference <= 1e-4 + 1e-4 * Math.Abs(expected[i]);
                }
            }

            return new Comparison(samples, largest, reference, within);
        }

        private static float[] Run(InferenceSession session, ImportedNetwork network, float[] input)
        {
            using OrtValue value = OrtValue.CreateTensorValueFromMemory(input, network.InputShape);
            using var runOptions = new RunOptions();
            using IDisposableReadOnlyCollection<OrtValue> results = session.Run(runOptions, new[] { network.InputName }, new[] { value }, new[] { network.OutputName });
            return results[0].GetTensorDataAsSpan<float>().ToArray();
        }
    }
}
