using System;
using System.ComponentModel;
using System.Threading.Tasks;

namespace CnnGen.Runtime
{
    /// <summary>A forward pass over one sample, as the generated <c>Forward</c>.</summary>
    public delegate void ForwardAction(ReadOnlySpan<float> input, Span<float> output);

    /// <summary>Runs a network over a batch on all cores. Used by the generated <c>ForwardBatch</c>.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static class Batch
    {
        /// <summary>
        /// Runs <paramref name="forward"/> over <paramref name="count"/> samples laid one after another,
        /// in contiguous chunks, one chunk per core. The lengths were checked by the caller.
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
                Parallel.For(
                    0,
                    workers,
                    new ParallelOptions { MaxDegreeOfParallelism = workers },
                    worker =>
                    {
                        int start = (int)((long)count * worker / workers);
                        int end = (int)((long)count * (worker + 1) / workers);
                        for (int i = start; i < end; i++)
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
