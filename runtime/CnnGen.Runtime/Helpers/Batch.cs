using System;
using System.Collections.Concurrent;
using System.ComponentModel;
using System.Threading.Tasks;

namespace CnnGen.Runtime
{
    /// <summary>A forward pass over one sample, as the generated <c>Forward</c>.</summary>
    public delegate void ForwardAction(ReadOnlySpan<float> input, Span<float> output);

    /// <summary>Runs a network over a batch on all cores. Used by the generated <c>ForwardBatch</c>; not meant to be called directly.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static class Batch
    {
        /// <summary>
        /// Runs <paramref name="forward"/> over <paramref name="count"/> samples laid one after another, on every
        /// core: the samples are cut into small runs that the workers take until none is left, so a core slowed by
        /// other work does not hold the batch up. The lengths were checked by the caller.
        /// </summary>
        public static unsafe void Run(
            ReadOnlySpan<float> inputs,
            Span<float> outputs,
            int count,
            int inputLength,
            int outputLength,
            ForwardAction forward)
        {
            if (forward is null)
            {
                throw new ArgumentNullException(nameof(forward));
            }

            if ((long)count * inputLength > inputs.Length || (long)count * outputLength > outputs.Length)
            {
                throw new ArgumentException("The batch does not fit the spans.", nameof(count));
            }

            int workers = Math.Min(count, Environment.ProcessorCount);
            if (workers <= 1)
            {
                for (int i = 0; i < count; i++)
                {
                    forward(inputs.Slice(i * inputLength, inputLength), outputs.Slice(i * outputLength, outputLength));
                }

                return;
            }

            fixed (float* inputPointer = inputs)
            fixed (float* outputPointer = outputs)
            {
                nint inputAddress = (nint)inputPointer;
                nint outputAddress = (nint)outputPointer;
                // Runs of about 1/16 of a worker's share: few enough to cost nothing, many enough to even out.
                int run = Math.Max(1, count / (workers * 16));
                Parallel.ForEach(
                    Partitioner.Create(0, count, run),
                    new ParallelOptions { MaxDegreeOfParallelism = workers },
                    range =>
                    {
                        for (int i = range.Item1; i < range.Item2; i++)
                        {
                            var input = new ReadOnlySpan<float>((float*)inputAddress + ((long)i * inputLength), inputLength);
                            var output = new Span<float>((float*)outputAddress + ((long)i * outputLength), outputLength);
                            forward(input, output);
                        }
                    });
            }
        }
    }
}
