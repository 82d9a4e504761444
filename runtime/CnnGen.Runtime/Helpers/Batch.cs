using System;
using System.ComponentModel;
using System.Runtime.ExceptionServices;
using System.Threading;

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
        /// core: the calling thread and one long-lived worker per other core take small runs of samples until none is
        /// left, so a core slowed by other work does not hold the batch up. Allocates nothing after the first call
        /// (which starts the workers); a call made while another is running uses the calling thread alone.
        /// The lengths were checked by the caller.
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

            WorkerPool? pool = count > 1 ? WorkerPool.Shared : null;
            if (pool is null || !Monitor.TryEnter(pool.Busy))
            {
                for (int i = 0; i < count; i++)
                {
                    forward(inputs.Slice(i * inputLength, inputLength), outputs.Slice(i * outputLength, outputLength));
                }

                return;
            }

            try
            {
                fixed (float* inputPointer = inputs)
                fixed (float* outputPointer = outputs)
                {
                    pool.Run(new Job(forward, (nint)inputPointer, (nint)outputPointer, count, inputLength, outputLength));
                }
            }
            finally
            {
                Monitor.Exit(pool.Busy);
            }
        }

        /// <summary>
        /// Samples per block for a blocked ForwardBatch of <paramref name="count"/> samples: a multiple of 8 (the block
        /// kernel's tile) from 8 to <paramref name="most"/>, as large as still gives every core two blocks or more, so that
        /// each weight is read as few times as possible while a core slowed by other work does not hold the batch up.
        /// </summary>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="most"/> is less than 8.</exception>
        public static int BlockSamples(int count, int most)
        {
            if (most < 8)
            {
                throw new ArgumentOutOfRangeException(nameof(most), most, "A block holds 8 samples or more.");
            }

            int share = count / (2 * Environment.ProcessorCount) / 8 * 8;
            return Math.Max(8, Math.Min(most / 8 * 8, share));
        }

        /// <summary>One batch: where the samples are and what to run on each; runs of samples are taken by index.</summary>
        private readonly struct Job
        {
            public Job(ForwardAction forward, nint inputs, nint outputs, int count, int inputLength, int outputLength)
            {
                Forward = forward;
                Inputs = inputs;
                Outputs = outputs;
                Count = count;
                InputLength = inputLength;
                OutputLength = outputLength;

                // Runs of about 1/16 of a core's share: few enough to cost nothing, many enough to even out.
                RunLength = Math.Max(1, count / (Environment.ProcessorCount * 16));
                Runs = (count + RunLength - 1) / RunLength;
            }

            public ForwardAction Forward { get; }

            public nint Inputs { get; }

            public nint Outputs { get; }

            public int Count { get; }

            public int InputLength { get; }

            public int OutputLength { get; }

            public int RunLength { get; }

            public int Runs { get; }

            public unsafe void Sample(int i) => Forward(
                new ReadOnlySpan<float>((float*)Inputs + ((long)i * InputLength), InputLength),
                new Span<float>((float*)Outputs + ((long)i * OutputLength), OutputLength));
        }

        /// <summary>
        /// Background threads, one per core but the caller's, that sleep until a batch comes. A batch is published by
        /// bumping <see cref="_generation"/> under <see cref="_gate"/>; each worker takes runs until none is left and
        /// reports done; the caller works too and returns when every worker has finished with that batch (so the spans
        /// it pinned are never read after it returns).
        /// </summary>
        private sealed class WorkerPool
        {
            private static WorkerPool? s_shared;
            private static readonly object s_create = new();

            private readonly object _gate = new();
            private readonly ManualResetEventSlim _done = new(false);
            private readonly int _workers;
            private long _generation;
            private Job _job;
            private int _nextRun;
            private int _pending;
            private Exception? _failure;

            private WorkerPool(int workers)
            {
                _workers = workers;
                for (int w = 0; w < workers; w++)
                {
                    new Thread(Work) { IsBackground = true, Name = "CnnGen batch worker " + (w + 1) }.Start();
                }
            }

            /// <summary>Held for the length of a batch; a second caller meanwhile runs on its own thread.</summary>
            public object Busy { get; } = new();

            /// <summary>The pool, started on first use; null on a machine with one core.</summary>
            public static WorkerPool? Shared
            {
                get
                {
                    if (Volatile.Read(ref s_shared) is { } pool)
                    {
                        return pool;
                    }

                    if (Environment.ProcessorCount < 2)
                    {
                        return null;
                    }

                    lock (s_create)
                    {
                        return s_shared ??= new WorkerPool(Environment.ProcessorCount - 1);
                    }
                }
            }

            public void Run(in Job job)
            {
                _job = job;
                _nextRun = 0;
                _failure = null;
                _pending = _workers;
                _done.Reset();
                lock (_gate)
                {
                    _generation++;
                    Monitor.PulseAll(_gate);
                }

                TakeRuns();
                _done.Wait();
                _job = default;
                if (_failure is { } failure)
                {
                    ExceptionDispatchInfo.Capture(failure).Throw();
                }
            }

            private void TakeRuns()
            {
                try
                {
                    int run;
                    while ((run = Interlocked.Increment(ref _nextRun) - 1) < _job.Runs)
                    {
                        int end = Math.Min(_job.Count, (run + 1) * _job.RunLength);
                        for (int i = run * _job.RunLength; i < end; i++)
                        {
                            _job.Sample(i);
                        }
                    }
                }
                catch (Exception e)
                {
                    // Stop every thread at its next run and hand the first failure to the caller.
                    Interlocked.CompareExchange(ref _failure, e, null);
                    Volatile.Write(ref _nextRun, int.MaxValue / 2);
                }
            }

            private void Work()
            {
                long seen = 0;
                while (true)
                {
                    lock (_gate)
                    {
                        while (_generation == seen)
                        {
                            Monitor.Wait(_gate);
                        }

                        seen = _generation;
                    }

                    TakeRuns();
                    if (Interlocked.Decrement(ref _pending) == 0)
                    {
                        _done.Set();
                    }
                }
            }
        }
    }
}
