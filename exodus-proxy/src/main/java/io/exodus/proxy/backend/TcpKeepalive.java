package io.exodus.proxy.backend;

import io.exodus.proxy.config.ExodusConfig;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.impl.NetSocketInternal;
import jdk.net.ExtendedSocketOptions;

import java.time.Duration;

/**
 * The keepalive of {@code exodus.tcp.*} on the proxy's sockets, so that no side of a session outlives a vanished peer
 * by hours. Vert.x 4.5 passes keepalive timings to accepted sockets with the epoll transport only, and never to the
 * connections it opens, so the timings are set here on each socket's channel, whatever the transport.
 */
public record TcpKeepalive(Duration idle, Duration interval, int count) {

    /** The operating system's timings: what tests without configuration get. */
    public static final TcpKeepalive SYSTEM_DEFAULTS = new TcpKeepalive(Duration.ZERO, Duration.ZERO, 0);

    public TcpKeepalive {
        if (idle.isNegative() || interval.isNegative() || count < 0) {
            throw new IllegalArgumentException("exodus.tcp.keepalive-* must not be negative: idle " + idle
                    + ", interval " + interval + ", count " + count);
        }
    }

    public static TcpKeepalive of(ExodusConfig.Tcp tcp) {
        return new TcpKeepalive(tcp.keepaliveIdle(), tcp.keepaliveInterval(), tcp.keepaliveCount());
    }

    /** Sets the timings on a connected TCP socket (a Unix-domain socket has none); a timing of zero stays the OS's. */
    public void applyTo(NetSocket socket) {
        Channel channel = ((NetSocketInternal) socket).channelHandlerContext().channel();
        if (channel instanceof EpollSocketChannel) {
            set(channel, EpollChannelOption.TCP_KEEPIDLE, EpollChannelOption.TCP_KEEPINTVL,
                    EpollChannelOption.TCP_KEEPCNT);
        } else if (channel instanceof NioSocketChannel) {
            set(channel, NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPIDLE),
                    NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPINTERVAL),
                    NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPCOUNT));
        }
    }

    private void set(Channel channel, ChannelOption<Integer> idleOption, ChannelOption<Integer> intervalOption,
            ChannelOption<Integer> countOption) {
        if (!idle.isZero()) {
            channel.config().setOption(idleOption, atLeastOneSecond(idle));
        }
        if (!interval.isZero()) {
            channel.config().setOption(intervalOption, atLeastOneSecond(interval));
        }
        if (count > 0) {
            channel.config().setOption(countOption, count);
        }
    }

    private static int atLeastOneSecond(Duration duration) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, duration.toSeconds()));
    }
}
