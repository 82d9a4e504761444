using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CnnGen.Tests.Infrastructure;
using CnnGen.Tests.Numerics;
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
            // Start the workers and let the JIT settle: with tiered PGO the instrumented code the runtime runs between tiers
            // allocates on the worker threads for a while (gone with DOTNET_TieredPGO=0), so the count starts after that.
            for (int i = 0; i < 3000; i++)
            {
                net.ForwardBatch(inputs, outputs);
                if (i % 100 == 0)
                {
                    Thread.Sleep(10);
                }
            }

            // The calling thread allocates nothing. Every thread of the process, the workers included, allocates less
            // than one object (24 bytes) per batch over 1,000 batches (before the workers, each call allocated about
            // 1.8 KB); the bound leaves room for the test host's own background work, never for a per-call allocation.
            // A per-batch allocation shows in every window; the JIT's own work may still show in one, so the quietest of
            // three windows counts.
            const int batches = 1000;
            long least = long.MaxValue;
            for (int window = 0; window < 3 && least >= batches * 24; window++)
            {
                Thread.Sleep(50);
                long before = GC.GetTotalAllocatedBytes(precise: true);
                long callerBefore = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < batches; i++)
                {
                    net.ForwardBatch(inputs, outputs);
                }

                long caller = GC.GetAllocatedBytesForCurrentThread() - callerBefore;
                least = Math.Min(least, GC.GetTotalAllocatedBytes(precise: true) - before);
                Assert.Equal(0, caller);
            }

            Assert.True(least < batches * 24, least + " bytes allocated by the process over " + batches + " batches");
        }

        /// <summary>Sample counts that give blocks of 8, of 16 or more and of 32 on this machine, each with a remainder of 8s and ones.</summary>
        public static TheoryData<int> BatchCounts()
        {
            int cores = Environment.ProcessorCount;
            var data = new TheoryData<int> { 0, 1, 3, 4, 9, 40, 100, 130, 256 };
            data.Add((2 * cores * 32) + 13);
            data.Add((2 * cores * 16) + 29);
            return data;
        }

        [Theory]
        [MemberData(nameof(BatchCounts))]
        public void A_fully_connected_network_runs_its_batch_in_blocks_equal_to_Forward_bit_for_bit(int count)
        {
            // Fully-connected layers only: ForwardBatch runs blocks of 8 to 32 samples (Batch.BlockSamples; on two cores 8 for
            // 40 samples, 24 for 100, 32 for 130 and 256) through FullyConnectedKernel.RunBlock (the weight read once per
            // block), what is left in blocks of 8, the last few through Forward; each output sums its inputs in Forward's order.
            // The widths cover whole panels of one-chain blocks, outputs that stop inside a panel, and the two-chain last vectors.
            var spec = new NetSpec(7, 3, 2, new[] { LayerSpec.Fc(150), LayerSpec.Relu(), LayerSpec.Fc(70), LayerSpec.Relu(), LayerSpec.Fc(5) });
            var networks = new CompiledNetworks(new[] { ("Dense", spec) });
            Assert.Contains(networks.Result.GeneratedTrees, t => t.ToString().Contains("private void ForwardBlockVector<TS, TV>", StringComparison.Ordinal));
            ITestNetwork net = networks.Create("Dense");
            var random = new Random(count);
            net.SetParameters(Numbers.Random(random, networks.Constant("Dense", "ParameterCount"), 0.3f));
            int inputLength = 7 * 3 * 2;
            float[] inputs = Numbers.Random(random, count * inputLength);
            var outputs = new float[count * 5];
            net.ForwardBatch(inputs, outputs);
            var y = new float[5];
            for (int i = 0; i < count; i++)
            {
                net.Forward(inputs.AsSpan(i * inputLength, inputLength), y);
                Assert.True(outputs.AsSpan(i * 5, 5).SequenceEqual(y), "sample " + i + ": " + string.Join(", ", outputs.AsSpan(i * 5, 5).ToArray()) + " vs " + string.Join(", ", y));
            }
        }

        [Theory]
        [InlineData(8)]
        [InlineData(20)]
        [InlineData(64)]
        [InlineData(100)]
        [InlineData(256)]
        [InlineData(100_000)]
        public void A_block_is_8_to_32_samples_in_eights_and_every_core_gets_two(int count)
        {
            int block = CnnGen.Runtime.Batch.BlockSamples(count, 32);
            Assert.Equal(0, block % 8);
            Assert.InRange(block, 8, 32);
            Assert.True(block == 8 || count / block >= 2 * Environment.ProcessorCount, block + " samples a block for " + count);
            Assert.True(block == 32 || count / (block + 8) < 2 * Environment.ProcessorCount, "a larger block would still do: " + block + " for " + count);
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
