using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CnnGen.Tests.Infrastructure;
using Xunit;

namespace CnnGen.Tests.Runtime
{
    /// <summary>Tests that count every byte the process allocates: they run alone, after the parallel ones.</summary>
    [CollectionDefinition(Name, DisableParallelization = true)]
    public sealed class AloneCollection
    {
        public const string Name = "Alone";
    }

    /// <summary>ForwardBatch's workers: allocation, concurrent callers, failures (API.md section 2).</summary>
    [Collection(AloneCollection.Name)]
    public sealed class BatchTests : IClassFixture<LeNetFixture>
    {
        private const int InputLength = 32 * 32 * 3;
        private readonly LeNetFixture _fixture;

        public BatchTests(LeNetFixture fixture) => _fixture = fixture;

        [Fact]
        public void ForwardBatch_allocates_nothing_after_its_first_calls()
        {
            ITestNetwork net = _fixture.Create();
            float[] inputs = Numbers.Random(new Random(4), 16 * InputLength);
            var outputs = new float[16 * 10];
            for (int i = 0; i < 300; i++)
            {
                net.ForwardBatch(inputs, outputs); // starts the workers, lets the JIT settle
                if (i % 50 == 0)
                {
                    Thread.Sleep(5);
                }
            }

            // The calling thread allocates nothing. Every thread of the process, the workers included, allocates less
            // than one object (24 bytes) per batch over 1,000 batches (before the workers, each call allocated about
            // 1.8 KB); the bound leaves room for the test host's own background work, never for a per-call allocation.
            const int batches = 1000;
            long before = GC.GetTotalAllocatedBytes(precise: true);
            long callerBefore = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < batches; i++)
            {
                net.ForwardBatch(inputs, outputs);
            }

            long caller = GC.GetAllocatedBytesForCurrentThread() - callerBefore;
            long total = GC.GetTotalAllocatedBytes(precise: true) - before;
            Assert.Equal(0, caller);
            Assert.True(total < batches * 24, total + " bytes allocated by the process over " + batches + " batches");
        }

        [Fact]
        public async Task Batches_from_several_threads_at_once_each_equal_Forward()
        {
            ITestNetwork net = _fixture.Create();
            var random = new Random(6);
            float[][] batches = Enumerable.Range(0, 6).Select(b => Numbers.Random(random, (5 + (b * 7)) * InputLength)).ToArray();
            float[][] expected = batches.Select(batch =>
            {
                int count = batch.Length / InputLength;
                var y = new float[count * 10];
                for (int i = 0; i < count; i++)
                {
                    net.Forward(batch.AsSpan(i * InputLength, InputLength), y.AsSpan(i * 10, 10));
                }

                return y;
            }).ToArray();

            float[][] actual = await Task.WhenAll(batches.Select(batch => Task.Run(() =>
            {
                var y = new float[batch.Length / InputLength * 10];
                for (int repeat = 0; repeat < 20; repeat++)
                {
                    net.ForwardBatch(batch, y);
                }

                return y;
            })));
            for (int b = 0; b < batches.Length; b++)
            {
                Assert.True(expected[b].AsSpan().SequenceEqual(actual[b]), "batch " + b);
            }
        }

        [Fact]
        public void A_failing_sample_reaches_the_caller_and_the_workers_serve_the_next_batch()
        {
            var inputs = new float[100];
            var outputs = new float[100];
            int calls = 0;
            var e = Assert.Throws<InvalidOperationException>(() => CnnGen.Runtime.Batch.Run(inputs, outputs, 100, 1, 1, (x, y) =>
            {
                if (Interlocked.Increment(ref calls) == 37)
                {
                    throw new InvalidOperationException("sample failed");
                }

                y[0] = x[0] + 1;
            }));
            Assert.Equal("sample failed", e.Message);

            for (int i = 0; i < inputs.Length; i++)
            {
                inputs[i] = i;
            }

            CnnGen.Runtime.Batch.Run(inputs, outputs, 100, 1, 1, (x, y) => y[0] = x[0] * 2);
            Assert.Equal(Enumerable.Range(0, 100).Select(i => i * 2f), outputs);
        }
    }
}
